/**
 * A small deterministic mutation fuzzer: a seeded PRNG, text mutations (bit/byte flips,
 * insert/delete/duplicate ranges, splices between corpus entries, token- and line-aware
 * mutations, size blow-ups up to a limit) and a loop that runs a target on mutated corpus
 * entries, classifies every exception, times every call and keeps the slowest inputs.
 *
 * No fuzzing library is used (none is installable here). Everything that decides what runs is a
 * function of the seed: the corpus only grows with inputs whose outcome label is new, and that
 * label never depends on time, so a seed and an execution budget always replay the same inputs.
 */

/** sfc32 seeded through splitmix32: fast, 128 bits of state, good enough for fuzzing. */
export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  next(): number;
  /** A uniform integer in [0, n); 0 when n ≤ 0. */
  below(n: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  const below = (n: number): number => (n <= 0 ? 0 : Math.floor((next() / 0x100000000) * n));
  return {
    next,
    below,
    chance: (probability) => next() / 0x100000000 < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[below(items.length)]!;
    },
  };
}

export interface MutationContext {
  rng: Rng;
  /** Other inputs to splice from. */
  corpus: readonly string[];
  /** Protocol fragments: header names, SDP lines, XML elements and attribute values. */
  tokens: readonly string[];
  /** Whole lines the target understands (header lines, `a=` lines), inserted line-wise. */
  lines: readonly string[];
  /** Inputs are clipped to this many characters (the target's size limit). */
  maxLength: number;
  /** 'latin1': every character stays below U+0100 (bytes, for SIP); 'unicode': any code point. */
  charset: 'latin1' | 'unicode';
}

export type Mutation = (input: string, ctx: MutationContext) => string;

const interestingChars = ['\0', '\x01', '\x7f', '\xff', '\r', '\n', '\t', ' ', ':', ';', '=', '<', '>', '"', "'"];
const moreChars = ['\\', '%', '&', ',', '/', '@', '?', '[', ']', '*', '#', '-', '.', '0', '9', 'a', 'Z'];
const unicodeChars = ['\u00e9', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ud800', '\udc00', '\u{1f600}'];
const interestingNumbers = ['0', '-1', '1', '00000000001', '65535', '65536', '2147483648', '4294967296'];
const moreNumbers = ['9007199254740993', '1e309', 'NaN', '0x10', '', '+1', '1.5', '99999999999999999999999'];

function randomChar(ctx: MutationContext): string {
  const { rng } = ctx;
  const roll = rng.below(4);
  if (roll === 0) return rng.pick(interestingChars);
  if (roll === 1) return rng.pick(moreChars);
  if (roll === 2 && ctx.charset === 'unicode') return rng.pick(unicodeChars);
  return String.fromCharCode(ctx.charset === 'latin1' ? rng.below(256) : rng.below(0x3000));
}

/** A random [start, end) range of `input`, biased towards short ranges. */
function range(input: string, ctx: MutationContext): [number, number] {
  const start = ctx.rng.below(input.length + 1);
  const room = input.length - start;
  const length = ctx.rng.chance(0.7) ? ctx.rng.below(Math.min(room, 16) + 1) : ctx.rng.below(room + 1);
  return [start, start + length];
}

function replaceRange(input: string, start: number, end: number, text: string): string {
  return input.slice(0, start) + text + input.slice(end);
}

/** Matches of `pattern` in `input` as [start, end) ranges of capture group `group`. */
function spans(input: string, pattern: RegExp, group = 0): [number, number][] {
  const out: [number, number][] = [];
  for (const match of input.matchAll(pattern)) {
    const text = match[group];
    if (text === undefined) continue;
    const start = match.index + match[0].indexOf(text);
    out.push([start, start + text.length]);
    if (out.length >= 256) break;
  }
  return out;
}

function lineBreakOf(input: string): string {
  return input.includes('\r\n') ? '\r\n' : '\n';
}

export const mutations: Readonly<Record<string, Mutation>> = {
  flipBit(input, ctx) {
    if (input.length === 0) return input;
    const at = ctx.rng.below(input.length);
    const bits = ctx.charset === 'latin1' ? 8 : 16;
    const code = input.charCodeAt(at) ^ (1 << ctx.rng.below(bits));
    return replaceRange(input, at, at + 1, String.fromCharCode(code));
  },
  setChar(input, ctx) {
    const at = ctx.rng.below(input.length);
    return replaceRange(input, at, at + 1, randomChar(ctx));
  },
  insertChars(input, ctx) {
    const at = ctx.rng.below(input.length + 1);
    let text = '';
    for (let n = 1 + ctx.rng.below(8); n > 0; n--) text += randomChar(ctx);
    return replaceRange(input, at, at, text);
  },
  deleteRange(input, ctx) {
    const [start, end] = range(input, ctx);
    return replaceRange(input, start, end, '');
  },
  duplicateRange(input, ctx) {
    const [start, end] = range(input, ctx);
    const at = ctx.rng.chance(0.5) ? end : ctx.rng.below(input.length + 1);
    return replaceRange(input, at, at, input.slice(start, end));
  },
  /** Head of this input, tail of another (or a range of another inserted here). */
  splice(input, ctx) {
    if (ctx.corpus.length === 0) return input;
    const other = ctx.rng.pick(ctx.corpus);
    if (ctx.rng.chance(0.5))
      return input.slice(0, ctx.rng.below(input.length + 1)) + other.slice(ctx.rng.below(other.length + 1));
    const [start, end] = range(other, ctx);
    const at = ctx.rng.below(input.length + 1);
    return replaceRange(input, at, at, other.slice(start, end));
  },
  insertToken(input, ctx) {
    const at = ctx.rng.below(input.length + 1);
    return replaceRange(input, at, at, ctx.rng.pick(ctx.tokens));
  },
  /** A word (run of token characters) replaced by a protocol token or an interesting number. */
  replaceWord(input, ctx) {
    const words = spans(input, /[\w.+/-]+/g);
    if (words.length === 0) return input;
    const [start, end] = ctx.rng.pick(words);
    const text = ctx.rng.chance(0.5)
      ? ctx.rng.pick(ctx.tokens)
      : ctx.rng.pick(ctx.rng.chance(0.5) ? interestingNumbers : moreNumbers);
    return replaceRange(input, start, end, text);
  },
  replaceNumber(input, ctx) {
    const numbers = spans(input, /\d+/g);
    if (numbers.length === 0) return input;
    const [start, end] = ctx.rng.pick(numbers);
    return replaceRange(input, start, end, ctx.rng.pick(ctx.rng.chance(0.6) ? interestingNumbers : moreNumbers));
  },
  /** Delete, duplicate, swap, insert (a known line) or repeat whole lines, keeping the line ends. */
  lines(input, ctx) {
    const eol = lineBreakOf(input);
    const list = input.split(eol);
    const at = ctx.rng.below(list.length);
    switch (ctx.rng.below(5)) {
      case 0:
        list.splice(at, 1);
        break;
      case 1:
        list.splice(at, 0, list[at] ?? '');
        break;
      case 2: {
        const other = ctx.rng.below(list.length);
        [list[at], list[other]] = [list[other] ?? '', list[at] ?? ''];
        break;
      }
      case 3:
        if (ctx.lines.length > 0) list.splice(at, 0, ctx.rng.pick(ctx.lines));
        break;
      default: {
        const line = list[at] ?? '';
        const times = Math.max(
          1,
          Math.floor(ctx.maxLength / Math.max(1, line.length + eol.length) / (1 + ctx.rng.below(64))),
        );
        list.splice(at, 0, ...Array<string>(Math.min(times, 5000)).fill(line));
      }
    }
    return list.join(eol);
  },
  /** An XML attribute value (or a `name=value` parameter) replaced, emptied or blown up. */
  attributeValue(input, ctx) {
    const values = spans(input, /[\w:-]+=(['"]?)([^'"\s;,>]*)\1/g, 2);
    if (values.length === 0) return input;
    const [start, end] = ctx.rng.pick(values);
    const roll = ctx.rng.below(4);
    const text =
      roll === 0
        ? ''
        : roll === 1
          ? ctx.rng.pick(interestingNumbers.concat(moreNumbers))
          : roll === 2
            ? ctx.rng.pick(ctx.tokens)
            : input.slice(start, end).repeat(1 + ctx.rng.below(64));
    return replaceRange(input, start, end, text);
  },
  /** A range or a single character repeated until the input nears the target's size limit. */
  blowUp(input, ctx) {
    const [start, end] = range(input, ctx);
    const unit = end > start && ctx.rng.chance(0.7) ? input.slice(start, end) : randomChar(ctx);
    const room = Math.max(0, ctx.maxLength - input.length);
    const times = Math.floor(room / unit.length / (ctx.rng.chance(0.3) ? 1 : 1 + ctx.rng.below(16)));
    return replaceRange(input, end, end, unit.repeat(Math.max(1, times)));
  },
};

const mutationList = Object.values(mutations);

/** 1–6 stacked mutations ("havoc"), clipped to `maxLength`; latin1 inputs stay latin1. */
export function mutate(input: string, ctx: MutationContext): string {
  let out = input;
  for (let n = 1 + ctx.rng.below(ctx.rng.chance(0.5) ? 2 : 6); n > 0; n--) {
    out = ctx.rng.pick(mutationList)(out, ctx);
    if (out.length > ctx.maxLength) out = out.slice(0, ctx.maxLength);
  }
  return ctx.charset === 'latin1'
    ? out.replace(/[^\0-\xff]/g, (c) => String.fromCharCode(c.charCodeAt(0) & 0xff))
    : out;
}

/**
 * Shrinks `input` while `failsTheSameWay` holds: removes halving chunks, then single
 * characters at the ends of lines. Bounded by `maxAttempts` runs of the predicate.
 */
export function minimise(input: string, failsTheSameWay: (candidate: string) => boolean, maxAttempts = 4000): string {
  let best = input;
  let attempts = 0;
  for (
    let chunk = Math.max(1, Math.floor(best.length / 2));
    chunk >= 1 && attempts < maxAttempts;
    chunk = Math.floor(chunk / 2)
  ) {
    let changed = true;
    while (changed && attempts < maxAttempts) {
      changed = false;
      for (let at = 0; at < best.length && attempts < maxAttempts;) {
        const candidate = best.slice(0, at) + best.slice(at + chunk);
        attempts++;
        if (candidate !== best && failsTheSameWay(candidate)) {
          best = candidate;
          changed = true;
        } else at += chunk;
      }
    }
  }
  return best;
}
