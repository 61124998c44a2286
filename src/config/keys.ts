/**
 * The flat key list of a configuration schema, read from the schema itself so that environment
 * variable names, string coercion and the documentation table never drift from it.
 */
import { z } from 'zod';
import { gatewayConfigSchema, mappingOptionsSchema } from './schema.ts';

/** How a value given as a string (environment, `--set`) is turned into the schema's type. */
export type ConfigValueKind = 'string' | 'number' | 'boolean' | 'list';

export interface ConfigKey {
  /** Dotted key, e.g. `sdp.xtlsOffer`. */
  key: string;
  /** `GW_` + the key in upper snake case, e.g. `GW_SDP_XTLS_OFFER`. */
  envName: string;
  kind: ConfigValueKind;
  /** Allowed values of an enumerated key. */
  choices?: readonly string[];
  /** No default and not optional: some source must give a value. */
  required: boolean;
  /** Schema default as a config file would write it; undefined when none. */
  defaultValue?: unknown;
  /** Masked by redactConfig: any key named like a secret or password. */
  secret: boolean;
  description: string;
}

const secretNamePattern = /secret|password/i;

/** Whether a key (or an object property) names a value that must never be printed. */
export function isSecretName(name: string): boolean {
  return secretNamePattern.test(name);
}

/** `jingle.iqTimeoutMs` → `GW_JINGLE_IQ_TIMEOUT_MS`: dots and camel-case humps become `_`. */
export function envNameForKey(key: string): string {
  return `GW_${key
    .replace(/\./g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}

/** Every leaf key of an object schema, in declaration order. */
export function configKeysOf(schema: z.ZodType): ConfigKey[] {
  const keys: ConfigKey[] = [];
  collect(schema, [], keys);
  const byEnvName = new Map<string, string>();
  for (const entry of keys) {
    const clash = byEnvName.get(entry.envName);
    // A bug in the schema, not a user error: two keys would share one variable.
    if (clash !== undefined) throw new Error(`config keys ${clash} and ${entry.key} both map to ${entry.envName}`);
    byEnvName.set(entry.envName, entry.key);
  }
  return keys;
}

function collect(schema: z.ZodType, path: string[], out: ConfigKey[]): void {
  let node: z.ZodType = schema;
  let description = schema.description;
  let required = true;
  let defaultValue: unknown = undefined;
  // Peel wrappers (default, optional, transform pipes) down to the schema that gives the type.
  for (;;) {
    description ??= node.description;
    if (node instanceof z.ZodDefault || node instanceof z.ZodPrefault) {
      required = false;
      defaultValue ??= node.def.defaultValue;
      node = node.def.innerType as z.ZodType;
    } else if (node instanceof z.ZodOptional) {
      required = false;
      node = node.def.innerType as z.ZodType;
    } else if (node instanceof z.ZodPipe) {
      node = node.def.in as z.ZodType;
    } else {
      break;
    }
  }
  if (node instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = node.shape;
    for (const [name, child] of Object.entries(shape)) {
      collect(child, [...path, name], out);
    }
    return;
  }
  const key = path.join('.');
  const entry: ConfigKey = {
    key,
    envName: envNameForKey(key),
    kind: kindOf(node, key),
    required,
    secret: isSecretName(path[path.length - 1] ?? ''),
    description: description ?? '',
  };
  if (node instanceof z.ZodEnum) entry.choices = node.options.map(String);
  if (defaultValue !== undefined) entry.defaultValue = defaultValue;
  out.push(entry);
}

function kindOf(node: z.ZodType, key: string): ConfigValueKind {
  if (node instanceof z.ZodBoolean) return 'boolean';
  if (node instanceof z.ZodNumber) return 'number';
  if (node instanceof z.ZodArray) return 'list';
  if (node instanceof z.ZodString || node instanceof z.ZodEnum) return 'string';
  throw new Error(`config key ${key}: no string coercion for this schema type`);
}

/** Every key of the service configuration. */
export const gatewayConfigKeys: readonly ConfigKey[] = configKeysOf(gatewayConfigSchema);

/** The mapping knobs of spec §0.1 (the keys `translate --config` reads). */
export const mappingOptionKeys: readonly ConfigKey[] = configKeysOf(mappingOptionsSchema);
