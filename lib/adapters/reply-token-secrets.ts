/**
 * Loads the secrets of signed reply addresses once per container: from the environment (local
 * runs) or from SSM SecureString parameters (AWS), so the secret never sits in the function's
 * configuration in clear.
 */
import { checkReplyTokenSecret, type ReplyTokenSecretSource } from '../config.js';
import { ConfigError } from '../errors.js';
import type { ReplyTokenKeys } from '../screening/reply-token.js';
import { AWS_HTTP_TIMEOUTS } from './aws-clients.js';

/** Reads one SecureString parameter's decrypted value. */
export type ParameterReader = (name: string) => Promise<string>;

/** The SSM reader, built only when a parameter is configured (the SDK client is loaded lazily). */
export const ssmParameterReader: ParameterReader = async (name) => {
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient({ requestHandler: { ...AWS_HTTP_TIMEOUTS.api } });
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (!Parameter?.Value) throw new ConfigError('REPLY_TOKEN_SECRET_PARAMETER', `a parameter with a value (${name} has none)`);
    return Parameter.Value;
  } finally {
    ssm.destroy();
  }
};

/** The keys for {@link ReplyTokenKeys}, or `null` when signed reply addresses are not configured. */
export async function loadReplyTokenKeys(source: ReplyTokenSecretSource, read: ParameterReader = ssmParameterReader): Promise<ReplyTokenKeys | null> {
  switch (source.kind) {
    case 'none':
      return null;
    case 'environment':
      return { current: Buffer.from(source.current, 'utf8'), previous: source.previous ? Buffer.from(source.previous, 'utf8') : null };
    case 'ssm': {
      const [current, previous] = await Promise.all([read(source.current), source.previous ? read(source.previous) : Promise.resolve(null)]);
      checkReplyTokenSecret('REPLY_TOKEN_SECRET_PARAMETER', current);
      if (previous !== null) checkReplyTokenSecret('REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER', previous);
      return { current: Buffer.from(current, 'utf8'), previous: previous ? Buffer.from(previous, 'utf8') : null };
    }
  }
}
