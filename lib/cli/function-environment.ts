/** The configuration of a deployed function, for commands that run the pipeline as it does (`--function NAME`). */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The environment variables of the deployed Lambda function `name`, read with the shell's AWS credentials. */
export async function functionEnvironment(name: string): Promise<Record<string, string>> {
  const lambda = new LambdaClient({});
  try {
    const { Environment } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    return Environment?.Variables ?? {};
  } finally {
    lambda.destroy();
  }
}
