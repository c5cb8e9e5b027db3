// Shortens the names the wasm-bindgen glue and the wasm call each other by.
//
// wasm-bindgen names every import after the JS function it wraps plus a 16-digit hash
// (`__wbg_set_href_0f986799cac24892`), and every closure shim after its full Rust type
// (`wasm_bindgen_<hash>___convert__closures_____invoke___…`, up to 330 characters). Each name
// is written twice, once in the wasm's import or export section and once in the glue, and the
// hashes do not compress: together 6.2 KB of the brotli bundle. Nothing outside the pair reads
// them (the loader only calls the glue's default export), so a release build renames them all
// to one- to three-letter names, in both files, consistently.
//
// Only the import and export sections of the wasm are rewritten; every other section is copied
// byte for byte. Any surprise (a name the glue does not contain, an import kind this parser does
// not know) throws, so a new wasm-bindgen cannot silently produce a bundle that fails to load.

/** Names the glue reads by property: left alone, so `wasm.memory` keeps working. */
const KEEP = new Set(['memory', 'main']);

const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;

/**
 * Returns `{ wasm, glue, renamed }`: the wasm bytes and glue text with every import of the
 * glue's module and every export (but `memory` and `main`) renamed, and how many names changed.
 */
export function shortenNames(wasm, glue) {
  const glueModule = glueModuleOf(wasm);
  const names = new ShortNames();
  const renames = new Map();
  const sections = [];
  const reader = new Reader(wasm);
  const header = reader.bytes(8);
  while (!reader.done()) {
    const id = reader.byte();
    const payload = reader.bytes(reader.u32());
    if (id === IMPORT_SECTION) {
      sections.push(section(id, rewriteImports(payload, glueModule, names, renames)));
    } else if (id === EXPORT_SECTION) {
      sections.push(section(id, rewriteExports(payload, names, renames)));
    } else {
      sections.push(section(id, payload));
    }
  }
  let text = glue;
  const moduleKey = JSON.stringify(glueModule);
  if (count(text, moduleKey) !== 1) {
    throw new Error(`expected the glue to name its import module ${moduleKey} once`);
  }
  text = text.replace(moduleKey, () => JSON.stringify(names.module));
  for (const [from, { to, imported }] of renames) {
    // Whole names only, so that one name never matches inside a longer one.
    const pattern = new RegExp(`(?<![\\w$])${escape(from)}(?![\\w$])`, 'g');
    let found = 0;
    text = text.replace(pattern, () => {
      found += 1;
      return to;
    });
    // An import the glue does not provide would fail instantiation; an export it never calls
    // (wasm-bindgen's own markers) is simply renamed.
    if (imported && found === 0) throw new Error(`the glue does not provide the import ${from}`);
  }
  return { wasm: Buffer.concat([header, ...sections]), glue: text, renamed: renames.size };
}

/** The import module wasm-bindgen names after the glue (`./<crate>_bg.js`), which must be one. */
function glueModuleOf(wasm) {
  const modules = new Set(
    WebAssembly.Module.imports(new WebAssembly.Module(wasm))
      .map((entry) => entry.module)
      .filter((module) => module.endsWith('_bg.js')),
  );
  if (modules.size !== 1) throw new Error(`expected one wasm-bindgen import module, found ${[...modules].join(', ') || 'none'}`);
  return [...modules][0];
}

function rewriteImports(payload, glueModule, names, renames) {
  const r = new Reader(payload);
  const total = r.u32();
  const out = [u32(total)];
  for (let left = total; left > 0; left--) {
    const module = r.name();
    const field = r.name();
    const descriptor = r.importDescriptor();
    if (module === glueModule) {
      out.push(name(names.module), name(rename(field, true, names, renames)));
    } else {
      out.push(name(module), name(field));
    }
    out.push(descriptor);
  }
  if (!r.done()) throw new Error('import section: bytes left over');
  return Buffer.concat(out);
}

function rewriteExports(payload, names, renames) {
  const r = new Reader(payload);
  const total = r.u32();
  const out = [u32(total)];
  for (let left = total; left > 0; left--) {
    const field = r.name();
    const kind = r.bytes(1);
    const index = r.u32();
    out.push(name(KEEP.has(field) ? field : rename(field, false, names, renames)), kind, u32(index));
  }
  if (!r.done()) throw new Error('export section: bytes left over');
  return Buffer.concat(out);
}

function rename(field, imported, names, renames) {
  if (renames.has(field)) throw new Error(`${field} is both imported and exported`);
  const to = names.next();
  renames.set(field, { to, imported });
  return to;
}

/** Valid JS identifiers, shortest first: a … Z, aa …; never one of KEEP, never `__proto__`. */
class ShortNames {
  static FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$';
  static REST = `${ShortNames.FIRST}0123456789`;
  module = 'a';
  counter = 0;

  next() {
    for (;;) {
      let n = this.counter++;
      let id = ShortNames.FIRST[n % ShortNames.FIRST.length];
      n = Math.floor(n / ShortNames.FIRST.length);
      while (n > 0) {
        n -= 1;
        id += ShortNames.REST[n % ShortNames.REST.length];
        n = Math.floor(n / ShortNames.REST.length);
      }
      if (!KEEP.has(id)) return id;
    }
  }
}

/** A cursor over wasm bytes: LEB128 integers, names, and import descriptors. */
class Reader {
  constructor(bytes) {
    this.buf = bytes;
    this.at = 0;
  }

  done() {
    return this.at >= this.buf.length;
  }

  byte() {
    if (this.done()) throw new Error('unexpected end of the wasm');
    return this.buf[this.at++];
  }

  bytes(n) {
    if (this.at + n > this.buf.length) throw new Error('unexpected end of the wasm');
    const slice = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return slice;
  }

  /** An unsigned LEB128 (u32 or u64: only skipped or re-encoded below 2^53). */
  u32() {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  name() {
    return this.bytes(this.u32()).toString('utf8');
  }

  /** The bytes of one import's kind and type, copied as they are. */
  importDescriptor() {
    const start = this.at;
    const kind = this.byte();
    switch (kind) {
      case 0x00: // function: type index
        this.u32();
        break;
      case 0x01: // table: reference type, limits
        this.refType();
        this.limits();
        break;
      case 0x02: // memory: limits
        this.limits();
        break;
      case 0x03: // global: value type, mutability
        this.valueType();
        this.byte();
        break;
      case 0x04: // tag: attribute, type index
        this.byte();
        this.u32();
        break;
      default:
        throw new Error(`import kind 0x${kind.toString(16)} is not known to short-names.mjs`);
    }
    return this.buf.subarray(start, this.at);
  }

  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 0x01) this.u32();
  }

  refType() {
    const type = this.byte();
    if (type !== 0x70 && type !== 0x6f) throw new Error(`reference type 0x${type.toString(16)} is not known`);
  }

  valueType() {
    const type = this.byte();
    if (![0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(type)) {
      throw new Error(`value type 0x${type.toString(16)} is not known`);
    }
  }
}

function u32(value) {
  const out = [];
  let n = value;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function name(text) {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
}

function section(id, payload) {
  return Buffer.concat([Buffer.from([id]), u32(payload.length), payload]);
}

function count(text, needle) {
  return text.split(needle).length - 1;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
