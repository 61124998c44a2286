/**
 * Loads a configuration from three sources, later ones winning per key:
 *   config file (JSON)  <  environment (`GW_*`)  <  flags (`--set key=value`)
 * and validates the merged result with the schema. Nothing is silently dropped or defaulted: an
 * unknown key anywhere, a string that does not coerce to the key's type, or a schema violation is
 * a problem, and every problem is returned together, each naming its key and source.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { z } from 'zod';
import { envNameForKey, gatewayConfigKeys, isSecretName, mappingOptionKeys } from './keys.ts';
import type { ConfigKey } from './keys.ts';
import { gatewayConfigSchema, mappingOptionsSchema } from './schema.ts';
import type { GatewayConfig, MappingOptions } from './schema.ts';

/** Where a value came from; `default` = no source gave one (schema default, derivation or absence). */
export type ConfigSource = 'file' | 'env' | 'flag' | 'default';

export interface ConfigProblem {
  /** Dotted key; null when the problem concerns a whole source (unreadable file, bad `--set`). */
  key: string | null;
  source: ConfigSource;
  /** The file path, the environment variable, or the `--set` argument (never a value). */
  origin: string;
  message: string;
}

export type ConfigResult<T> = { ok: true; config: T } | { ok: false; problems: ConfigProblem[] };

export interface ConfigInputs {
  /** Path of a JSON config file; when absent, the `GW_CONFIG` environment variable may name one. */
  file?: string | undefined;
  /** Environment to read `GW_*` variables from, normally `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** The `key=value` arguments of repeated `--set` flags, in command-line order (the last wins). */
  sets?: readonly string[] | undefined;
}

/** `GW_*` variables that are not configuration keys. `GW_CONFIG` names the config file. */
export const envAllowlist: ReadonlySet<string> = new Set(['GW_CONFIG']);

/** The full service configuration. */
export function loadGatewayConfig(inputs: ConfigInputs): ConfigResult<GatewayConfig> {
  return load(gatewayConfigSchema, gatewayConfigKeys, [], inputs);
}

/**
 * The mapping knobs only (`translate --config`). Service keys in the file or the environment are
 * ignored, so one gateway.json and one environment serve both; in `--set` they are an error.
 */
export function loadMappingOptions(inputs: ConfigInputs): ConfigResult<MappingOptions> {
  return load(mappingOptionsSchema, mappingOptionKeys, gatewayConfigKeys, inputs);
}

interface GivenValue {
  value: unknown;
  source: ConfigSource;
  origin: string;
}

interface LoadState {
  keys: ReadonlyMap<string, ConfigKey>;
  /** Keys another schema defines: not used here, but not typos either. */
  otherKeys: ReadonlySet<string>;
  /** Every dotted prefix of a known key (`sdp`, `xmpp`, …): objects in the config file. */
  groups: ReadonlySet<string>;
  given: Map<string, GivenValue>;
  problems: ConfigProblem[];
}

function load<S extends z.ZodType>(
  schema: S,
  keys: readonly ConfigKey[],
  otherKeys: readonly ConfigKey[],
  inputs: ConfigInputs,
): ConfigResult<z.output<S>> {
  const state: LoadState = {
    keys: new Map(keys.map((k) => [k.key, k])),
    otherKeys: new Set(otherKeys.map((k) => k.key).filter((key) => !keys.some((k) => k.key === key))),
    groups: new Set([...keys, ...otherKeys].flatMap((k) => prefixesOf(k.key))),
    given: new Map(),
    problems: [],
  };
  const file = inputs.file ?? inputs.env.GW_CONFIG;
  if (file !== undefined) readFileValues(state, file);
  readEnvValues(state, inputs.env);
  readFlagValues(state, inputs.sets ?? []);

  const ownGroups = new Set(keys.flatMap((k) => prefixesOf(k.key)));
  const result = schema.safeParse(nestedObject(ownGroups, state.given));
  if (result.success && state.problems.length === 0) return { ok: true, config: result.data };
  // A key whose source value was rejected already has its problem; the schema's view of the
  // fallback value would only repeat it.
  const alreadyReported = new Set(state.problems.flatMap((p) => (p.key === null ? [] : [p.key])));
  for (const issue of result.error?.issues ?? []) {
    const problem = problemFromIssue(state, issue);
    if (problem.key === null || !alreadyReported.has(problem.key)) state.problems.push(problem);
  }
  return { ok: false, problems: state.problems };
}

function prefixesOf(key: string): string[] {
  const parts = key.split('.');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

function readFileValues(state: LoadState, path: string): void {
  const problem = readFileProblem(state, path);
  if (problem !== undefined) state.problems.push({ key: null, source: 'file', origin: path, message: problem });
}

/** Reads the file into `state.given`; returns what is wrong with the file as a whole, if anything. */
function readFileProblem(state: LoadState, path: string): string | undefined {
  if (extname(path) !== '.json') return 'only JSON config files (.json) are supported';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot read the file: ${code === 'ENOENT' ? 'no such file' : String(error)}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return `not valid JSON: ${jsonErrorWithLine(text, (error as Error).message)}`;
  }
  if (!isPlainObject(parsed)) return 'must contain a JSON object';
  collectFileObject(state, path, parsed, []);
  return undefined;
}

/** V8 reports a character offset; people look for a line and column. */
function jsonErrorWithLine(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position)).split('\n');
  return `${message} (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
}

function collectFileObject(state: LoadState, path: string, object: Record<string, unknown>, prefix: string[]): void {
  for (const [name, value] of Object.entries(object)) {
    const key = [...prefix, name].join('.');
    // A dotted name would otherwise pass for the nested key it spells.
    const dotted = name.includes('.');
    if (!dotted && state.groups.has(key)) {
      if (isPlainObject(value)) collectFileObject(state, path, value, [...prefix, name]);
      else state.problems.push({ key, source: 'file', origin: path, message: 'must be an object' });
    } else if (!dotted && state.keys.has(key)) {
      state.given.set(key, { value, source: 'file', origin: path });
    } else if (dotted || !state.otherKeys.has(key)) {
      const known = state.keys.has(key) || state.otherKeys.has(key);
      const hint = dotted && known ? `; write nested objects, e.g. ${nestedExample(key)}` : '';
      const message = `unknown key${hint || suggestion(key, [...state.keys.keys()])}`;
      state.problems.push({ key, source: 'file', origin: path, message });
    }
  }
}

function nestedExample(dotted: string): string {
  return dotted.split('.').reduceRight((inner, part) => `{ "${part}": ${inner} }`, '…');
}

function readEnvValues(state: LoadState, env: ConfigInputs['env']): void {
  const byEnvName = new Map([...state.keys.values()].map((k) => [k.envName, k]));
  const otherEnvNames = new Set([...state.otherKeys].map(envNameForKey));
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (!name.startsWith('GW_') || text === undefined || envAllowlist.has(name) || otherEnvNames.has(name)) continue;
    const entry = byEnvName.get(name);
    if (entry === undefined) {
      const message = `unknown variable${suggestion(name, [...byEnvName.keys()])}`;
      state.problems.push({ key: null, source: 'env', origin: name, message });
      continue;
    }
    setFromString(state, entry, text, 'env', name);
  }
}

function readFlagValues(state: LoadState, sets: readonly string[]): void {
  for (const argument of sets) {
    const equals = argument.indexOf('=');
    const key = argument.slice(0, Math.max(equals, 0));
    const origin = `--set ${key === '' ? argument : key}`;
    const entry = state.keys.get(key);
    if (equals <= 0) {
      state.problems.push({ key: null, source: 'flag', origin, message: 'must be --set key=value' });
    } else if (entry !== undefined) {
      setFromString(state, entry, argument.slice(equals + 1), 'flag', origin);
    } else {
      const message = state.otherKeys.has(key)
        ? 'is a gateway service key; this command does not use it'
        : `unknown key${suggestion(key, [...state.keys.keys()])}`;
      state.problems.push({ key, source: 'flag', origin, message });
    }
  }
}

function setFromString(state: LoadState, entry: ConfigKey, text: string, source: ConfigSource, origin: string): void {
  const coerced = coerce(entry, text);
  if ('problem' in coerced) {
    state.problems.push({ key: entry.key, source, origin, message: coerced.problem });
    // The key is reported; a lower-precedence value must not stand in for the rejected one.
    state.given.delete(entry.key);
  } else {
    state.given.set(entry.key, { value: coerced.value, source, origin });
  }
}

/** A string from the environment or a flag, as the key's type; strict, so `abc` never becomes a default. */
function coerce(entry: ConfigKey, text: string): { value: unknown } | { problem: string } {
  switch (entry.kind) {
    case 'string':
      return { value: text };
    case 'boolean':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { problem: `must be true or false, got "${text}"` };
    case 'number':
      if (/^-?\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
      return { problem: `must be a number, got "${text}"` };
    case 'list': {
      if (text === '') return { value: [] };
      const items = text.split(',').map((item) => item.trim());
      if (items.includes('')) return { problem: `has an empty entry in the comma-separated list "${text}"` };
      return { value: items };
    }
  }
}

/**
 * The nested object the schema parses. Every group exists, empty if need be, so that a missing
 * required value is reported by its own key (`xmpp.domain`) rather than as a missing `xmpp`.
 */
function nestedObject(groups: ReadonlySet<string>, given: ReadonlyMap<string, GivenValue>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const entries: [string, unknown][] = [...groups].map((group) => [group, {}]);
  for (const [key, { value }] of given) entries.push([key, value]);
  for (const [key, value] of entries) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

function problemFromIssue(state: LoadState, issue: z.core.$ZodIssue): ConfigProblem {
  const key = issue.path.filter((p): p is string => typeof p === 'string').join('.');
  const index = issue.path.find((p): p is number => typeof p === 'number');
  const given = state.given.get(key);
  const entry = state.keys.get(key);
  let message = index === undefined ? issue.message : `entry ${index + 1}: ${issue.message}`;
  if (given === undefined && entry?.required === true) {
    message += `; set ${key} in the config file, ${entry.envName}, or --set ${key}=…`;
  }
  if (issue.code === 'unrecognized_keys') message += `: ${issue.keys.join(', ')}`;
  const origin = given?.origin ?? 'no value given';
  return { key: key === '' ? null : key, source: given?.source ?? 'default', origin, message };
}

/** ` (did you mean X?)` for a near miss (edit distance ≤ 2, ignoring case), else ''. */
function suggestion(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One line per problem, for a CLI to print before exiting, e.g.
 * `GW_JINGLE_IQ_TIMEOUT_MS (jingle.iqTimeoutMs): must be a number, got "abc"`.
 */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${problemLocation(p)}: ${p.message}`).join('\n');
}

function problemLocation(problem: ConfigProblem): string {
  const { key, source, origin } = problem;
  switch (source) {
    case 'file':
      return key === null ? origin : `${origin}: ${key}`;
    case 'env':
      return key === null ? origin : `${origin} (${key})`;
    case 'flag':
      return origin;
    case 'default':
      return key ?? 'configuration';
  }
}

export const redactedMark = '[redacted]';

/** A deep copy for printing, every value under a secret/password-named key replaced by a mark. */
export function redactConfig<T>(config: T): T {
  return redactValue(config) as T;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      isSecretName(name) && inner !== undefined ? redactedMark : redactValue(inner),
    ]),
  );
}
