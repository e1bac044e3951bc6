/** Types of ./function-config.cjs, for the TypeScript tests. */
/** What stands in for the deploy-time value of the variable `name`. */
export declare function deployTimeValue(name: string): string;
export interface ServiceFunctions {
  readonly provider?: { readonly environment?: Readonly<Record<string, unknown>> };
  readonly functions: Readonly<Record<string, { readonly environment?: Readonly<Record<string, unknown>> } | undefined>>;
}
export declare function checkFunctionConfig(service: ServiceFunctions, serviceFileText: string): void;
export declare function parametersOf(serviceFileText: string): Record<string, string>;
export declare function resolvedEnvironment(providerEnvironment: Readonly<Record<string, unknown>>, functionEnvironment: Readonly<Record<string, unknown>>): Record<string, string>;
export declare function serviceFileText(serviceDir: string, filename?: string): string;
