/**
 * Import rules for lib/ and functions/, checked by `npm run check:cycles` (a CI check).
 * Type-only imports count too (`tsPreCompilationDeps`): a cycle of types is still a cycle of concepts.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules of lib/ must not import each other in a circle, type imports included (issue 9).',
      from: { path: '^(lib|functions)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
