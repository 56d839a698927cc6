// Static validation of a candidate codec before anything runs. Reasons about the syntax tree with
// scope analysis, so it refuses a reference to the *global* `eval` or `process` and accepts
// `model.eval()`, a local variable named `process` or the string "require" — the earlier system's
// word list refused 9 good candidates in 10. It also produces the runnable script the sandbox
// executes (exports turned into a returned object, positions preserved).
import * as acorn from 'acorn';
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';
import { EnvironmentError } from '../errors';
import type { StaticFailureClass } from './failures';
import { SourceMapper } from './sourcemap';

export interface Diagnostic {
  class: StaticFailureClass;
  message: string;
  /** 1-based line and column in the ORIGINAL source (TypeScript is mapped back). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What the sandbox worker runs: see worker.ts for how `script` is wrapped. */
export interface PreparedCandidate {
  filename: string;
  language: 'js' | 'ts';
  /** JavaScript with `export` keywords blanked out (same line/column layout as `js`). */
  script: string;
  /** Exported name → local binding, for encode, decode and (optional) meta. */
  exports: { encode: string; decode: string; meta?: string };
  /** esbuild's source map (TypeScript only), to map runtime error positions back. */
  sourceMap?: string;
}

export interface ValidateOptions {
  /** Refuse sources larger than this many bytes (UTF-8). */
  maxSourceBytes?: number;
  /**
   * Tests only: do not refuse references to forbidden globals, so the attack suite can prove the
   * runtime layers hold on their own (imports are still refused: they cannot run as a script).
   */
  unsafeSkipForbiddenGlobals?: boolean;
  /** Refuse string, array and template literals that total more than this many bytes of source. */
  maxLiteralBytes?: number;
}

export const DEFAULT_MAX_SOURCE_BYTES = 512 * 1024;
/**
 * Embedded data a codec may carry. A candidate that held the training clip in a 285 KB base64 string
 * "decoded" it from a few bytes (−99.87 % BD-rate); the seeds carry about 3 KB of literals (hybrid 3210 bytes).
 */
export const DEFAULT_MAX_LITERAL_BYTES = 32 * 1024;

let esbuildApi: typeof Esbuild | undefined;
/**
 * esbuild, loaded only for TypeScript candidates and never bundled: its JS API must sit beside its
 * native binary in node_modules. The packaged extension ships no node_modules, so there TypeScript
 * candidates are refused with an environment error and JavaScript ones need nothing.
 */
function esbuild(): typeof Esbuild {
  if (esbuildApi) return esbuildApi;
  try {
    esbuildApi = createRequire(__filename)('esbuild') as typeof Esbuild;
    return esbuildApi;
  } catch (e) {
    throw new EnvironmentError(
      `TypeScript candidates need esbuild, which is not installed here (${(e as Error).message.split('\n')[0]})`,
      'write the codec in JavaScript (codec.js) or install esbuild next to codec-evolution',
      { cause: e },
    );
  }
}

/** Globals a candidate may not reference, with the reason given to the author. */
const FORBIDDEN_GLOBALS: Record<string, string> = {
  eval: 'code generation from strings is disabled in the sandbox; write the code directly',
  Function: 'the Function constructor generates code from strings, which the sandbox disables; write a function directly',
  globalThis: 'the global object is not part of the codec contract; keep state in module-level variables',
  global: 'the global object is not part of the codec contract; keep state in module-level variables',
  self: 'the global object is not part of the codec contract; keep state in module-level variables',
  window: 'there is no browser window in the sandbox; keep state in module-level variables',
  process: 'a codec cannot reach the host process (environment, exit, files); use only the frames and options it receives',
  require: 'a codec is one self-contained module with no imports; inline what you need',
  module: 'a codec is an ES module: use `export function encode/decode`, not `module.exports`',
  exports: 'a codec is an ES module: use `export function encode/decode`, not `exports.x =`',
  __dirname: 'a codec has no file-system location; it cannot read files',
  __filename: 'a codec has no file-system location; it cannot read files',
  Buffer: 'Buffer is a Node.js host object; use Uint8Array',
  WebAssembly: 'WebAssembly is disabled in the sandbox; write plain JavaScript',
  Atomics: 'shared memory and Atomics are disabled in the sandbox (one thread, deterministic)',
  SharedArrayBuffer: 'shared memory is disabled in the sandbox; use ArrayBuffer/Uint8Array',
  setTimeout: 'encode and decode are synchronous and have no timers; compute the result directly',
  setInterval: 'encode and decode are synchronous and have no timers; compute the result directly',
  setImmediate: 'encode and decode are synchronous and have no timers; compute the result directly',
  clearTimeout: 'encode and decode are synchronous and have no timers',
  clearInterval: 'encode and decode are synchronous and have no timers',
  clearImmediate: 'encode and decode are synchronous and have no timers',
  queueMicrotask: 'encode and decode are synchronous; compute the result directly',
  fetch: 'a codec has no network access; everything it needs is in its arguments',
  XMLHttpRequest: 'a codec has no network access; everything it needs is in its arguments',
  WebSocket: 'a codec has no network access; everything it needs is in its arguments',
  Worker: 'a codec runs on one thread; no workers',
  importScripts: 'a codec is one self-contained module with no imports; inline what you need',
  performance: 'a codec has no clock (it must be deterministic)',
};

type Node = acorn.Node & Record<string, any>;

interface Scope {
  parent?: Scope;
  names: Set<string>;
}

export function validateSource(source: string, filename: string, opts: ValidateOptions = {}): Diagnostic[] {
  return prepareCandidate(source, filename, opts).diagnostics;
}

/** Validates and, when there are no diagnostics, returns the runnable form. */
export function prepareCandidate(
  source: string,
  filename: string,
  opts: ValidateOptions = {},
): { diagnostics: Diagnostic[]; candidate?: PreparedCandidate } {
  const max = opts.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  const size = Buffer.byteLength(source, 'utf8');
  if (size > max) {
    return {
      diagnostics: [
        diag(
          'contract',
          `source is ${size} bytes, over the ${max}-byte cap — make the codec smaller (tables can be computed at load time)`,
          1,
          1,
          1,
          1,
        ),
      ],
    };
  }
  const language: 'js' | 'ts' = /\.(ts|mts|cts)$/i.test(filename) ? 'ts' : 'js';
  let js = source;
  let mapper: SourceMapper | undefined;
  let sourceMap: string | undefined;
  if (language === 'ts') {
    try {
      const r = esbuild().transformSync(source, {
        loader: 'ts',
        format: 'esm',
        target: 'es2022',
        sourcemap: 'external',
        sourcefile: filename,
        // Keeps value imports in the output so they are refused rather than silently dropped.
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      });
      js = r.code;
      sourceMap = r.map;
      mapper = SourceMapper.fromJson(r.map);
    } catch (e) {
      if (e instanceof EnvironmentError) throw e;
      const errors = (
        e as { errors?: Array<{ text: string; location?: { line: number; column: number; length: number; lineText: string } }> }
      ).errors;
      if (!errors?.length) throw e;
      return {
        diagnostics: errors.map((er) => {
          const loc = er.location;
          // esbuild columns count UTF-8 bytes; convert to characters of the line.
          const col = loc ? Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length : 0;
          const len = loc ? Math.max(1, loc.length) : 1;
          return diag('syntax', `${er.text} — fix the TypeScript syntax`, loc?.line ?? 1, col + 1, loc?.line ?? 1, col + 1 + len);
        }),
      };
    }
  }
  const out = new Validation(source, js, mapper, opts.unsafeSkipForbiddenGlobals ?? false);
  let ast: Node;
  try {
    ast = acorn.parse(js, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as Node;
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const loc = err.loc ?? { line: 1, column: 0 };
    const p = out.mapPos(loc.line, loc.column);
    const msg = err.message.replace(/\s*\(\d+:\d+\)$/, '');
    return { diagnostics: [diag('syntax', `${msg} — fix the JavaScript syntax`, p.line, p.column, p.line, p.column + 1)] };
  }
  const exportsFound = out.run(ast);
  out.checkEmbeddedData(ast, filename, opts.maxLiteralBytes ?? DEFAULT_MAX_LITERAL_BYTES);
  if (out.diagnostics.length) return { diagnostics: out.sorted() };
  return {
    diagnostics: [],
    candidate: { filename, language, script: out.runnable(), exports: exportsFound!, sourceMap },
  };
}

interface DataLiteral {
  node: Node;
  kind: 'string' | 'array' | 'template';
  bytes: number;
}

/** A literal array of numbers and strings (nested too): a table, counted whole. */
function isDataArray(n: Node): boolean {
  return (
    n.type === 'ArrayExpression' &&
    n.elements.length > 0 &&
    (n.elements as Array<Node | null>).every(
      (e) =>
        e === null ||
        (e.type === 'Literal' && (typeof e.value === 'number' || typeof e.value === 'string')) ||
        (e.type === 'UnaryExpression' && (e.operator === '-' || e.operator === '+') && e.argument.type === 'Literal') ||
        isDataArray(e),
    )
  );
}

/** Every string, template and data-array literal, outermost only, with its size in source bytes. */
function dataLiterals(root: Node, js: string): DataLiteral[] {
  const out: DataLiteral[] = [];
  const bytes = (a: number, b: number) => Buffer.byteLength(js.slice(a, b), 'utf8');
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const c of n) visit(c);
      return;
    }
    if (!n || typeof n !== 'object' || typeof (n as Node).type !== 'string') return;
    const node = n as Node;
    if (node.type === 'Literal' && typeof node.value === 'string') {
      out.push({ node, kind: 'string', bytes: bytes(node.start, node.end) });
      return;
    }
    if (node.type === 'TemplateLiteral') {
      out.push({ node, kind: 'template', bytes: (node.quasis as Node[]).reduce((t, q) => t + bytes(q.start, q.end), 0) });
      visit(node.expressions);
      return;
    }
    if (isDataArray(node)) {
      out.push({ node, kind: 'array', bytes: bytes(node.start, node.end) });
      return;
    }
    for (const k of Object.keys(node)) if (k !== 'loc') visit(node[k]);
  };
  visit(root);
  return out;
}

/** Bytes of string, array and template literals in a JavaScript source (what the cap counts). */
export function embeddedDataBytes(source: string): number {
  const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as Node;
  return dataLiterals(ast, source).reduce((t, l) => t + l.bytes, 0);
}

function diag(cls: StaticFailureClass, message: string, line: number, column: number, endLine: number, endColumn: number): Diagnostic {
  return { class: cls, message, line, column, endLine, endColumn };
}

class Validation {
  readonly diagnostics: Diagnostic[] = [];
  /** Source ranges [start, end) of `export` syntax to blank out in the runnable script. */
  private readonly blanks: Array<[number, number]> = [];

  constructor(
    private readonly original: string,
    private readonly js: string,
    private readonly mapper: SourceMapper | undefined,
    private readonly skipGlobals: boolean,
  ) {}

  sorted(): Diagnostic[] {
    return this.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  runnable(): string {
    let s = this.js;
    for (const [a, b] of this.blanks) s = s.slice(0, a) + s.slice(a, b).replace(/[^\n]/g, ' ') + s.slice(b);
    return s;
  }

  /** Maps a generated (line 1-based, column 0-based) to an original 1-based line:column. */
  mapPos(line: number, column: number, name?: string): { line: number; column: number } {
    if (!this.mapper) return { line, column: column + 1 };
    const o = this.mapper.original(line, column);
    if (!o) return { line: 1, column: 1 };
    if (name) {
      // Land exactly on the identifier: search forward from the mapped token in the original text.
      const lines = this.original.split('\n');
      let offset = 0;
      for (let i = 0; i < o.line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      offset += o.column;
      const re = new RegExp(`(?<![\\w$])${name.replace(/[$]/g, '\\$')}(?![\\w$])`, 'g');
      re.lastIndex = offset;
      const m = re.exec(this.original);
      if (m && m.index - offset < 400) {
        const before = this.original.slice(0, m.index);
        const ln = before.split('\n').length;
        return { line: ln, column: m.index - before.lastIndexOf('\n') };
      }
    }
    return { line: o.line, column: o.column + 1 };
  }

  report(cls: StaticFailureClass, node: Node, message: string, name?: string): void {
    const start = this.mapPos(node.loc!.start.line, node.loc!.start.column, name);
    let end: { line: number; column: number };
    if (name) end = { line: start.line, column: start.column + name.length };
    else if (this.mapper) {
      end = this.mapPos(node.loc!.end.line, node.loc!.end.column);
      if (end.line < start.line || (end.line === start.line && end.column <= start.column))
        end = { line: start.line, column: start.column + 1 };
    } else end = { line: node.loc!.end.line, column: node.loc!.end.column + 1 };
    this.diagnostics.push(diag(cls, message, start.line, start.column, end.line, end.column));
  }

  /** Refuses a candidate whose literals carry more data than `max` bytes, naming the largest one. */
  checkEmbeddedData(program: Node, filename: string, max: number): void {
    const lits = dataLiterals(program, this.js);
    const total = lits.reduce((t, l) => t + l.bytes, 0);
    if (total <= max) return;
    const big = lits.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const at = this.mapPos(big.node.loc!.start.line, big.node.loc!.start.column);
    const name = filename.split(/[\\/]/).pop();
    this.report(
      'forbidden',
      big.node,
      `${total} bytes of embedded data in string, array and template literals, over the ${max}-byte cap; the largest is the ${big.kind} literal at ${name}:${at.line}:${at.column} (${big.bytes} bytes) — compute tables at load time instead of embedding data (a codec may not carry its test material)`,
    );
  }

  run(program: Node): PreparedCandidate['exports'] | undefined {
    const top: Scope = { names: new Set() };
    this.hoistFunctionScope(program.body, top);
    this.walkStatements(program.body, top);
    return this.checkExports(program, top);
  }

  // ---- exports --------------------------------------------------------------------------------

  private checkExports(program: Node, top: Scope): PreparedCandidate['exports'] | undefined {
    const exported = new Map<string, { local: string; node: Node; decl?: Node }>();
    const fnDecls = new Map<string, Node>();
    const varInits = new Map<string, Node | null>();
    for (const st of program.body as Node[]) {
      const d = st.type === 'ExportNamedDeclaration' ? st.declaration : st;
      if (d?.type === 'FunctionDeclaration') fnDecls.set(d.id.name, d);
      if (d?.type === 'VariableDeclaration')
        for (const v of d.declarations) if (v.id.type === 'Identifier') varInits.set(v.id.name, v.init);
    }
    for (const st of program.body as Node[]) {
      if (st.type === 'ExportDefaultDeclaration') {
        this.report(
          'contract',
          st,
          'a default export is not part of the codec contract — export named functions: `export function encode(video, options)` and `export function decode(bytes)`',
        );
      } else if (st.type === 'ExportAllDeclaration' || (st.type === 'ExportNamedDeclaration' && st.source)) {
        this.report(
          'forbidden',
          st,
          `re-exporting from '${st.source.value}' is an import; a codec is one self-contained module — inline what you need`,
        );
      } else if (st.type === 'ExportNamedDeclaration') {
        if (st.declaration) {
          this.blanks.push([st.start, st.declaration.start]);
          const d = st.declaration;
          if (d.type === 'VariableDeclaration') {
            for (const v of d.declarations)
              for (const n of patternNames(v.id)) exported.set(n, { local: n, node: v, decl: v.init ?? undefined });
          } else exported.set(d.id.name, { local: d.id.name, node: d, decl: d });
        } else {
          this.blanks.push([st.start, st.end]);
          for (const sp of st.specifiers) {
            const name = sp.exported.type === 'Literal' ? String(sp.exported.value) : sp.exported.name;
            const local = sp.local.name;
            exported.set(name, { local, node: sp, decl: fnDecls.get(local) ?? varInits.get(local) ?? undefined });
          }
        }
      }
    }
    const need = [
      ['encode', 'encode(video, options) → Uint8Array'],
      ['decode', 'decode(bytes) → {width, height, frames}'],
    ];
    let ok = true;
    for (const [name, sig] of need) {
      const e = exported.get(name);
      if (!e) {
        ok = false;
        const declared = top.names.has(name) ? ` (a local \`${name}\` exists but is not exported — add \`export\`)` : '';
        this.diagnostics.push(
          diag('contract', `missing export \`${name}\`: the module must export function ${sig}${declared}`, 1, 1, 1, 1),
        );
        continue;
      }
      const d = e.decl;
      if (!d) continue;
      const isFn = d.type === 'FunctionDeclaration' || d.type === 'FunctionExpression' || d.type === 'ArrowFunctionExpression';
      if (isFn && (d.async || d.generator)) {
        ok = false;
        this.report('contract', d, `\`${name}\` must be a plain synchronous function (not async or a generator): ${sig}`);
      } else if (!isFn && /^(Literal|ObjectExpression|ArrayExpression|TemplateLiteral|ClassExpression|ClassDeclaration)$/.test(d.type)) {
        ok = false;
        this.report('contract', e.node, `\`${name}\` must be a function: ${sig}`);
      }
    }
    const meta = exported.get('meta');
    if (
      meta?.decl &&
      /^(Literal|ArrayExpression|FunctionExpression|ArrowFunctionExpression|FunctionDeclaration|TemplateLiteral)$/.test(meta.decl.type)
    ) {
      ok = false;
      this.report('contract', meta.node, "`meta` must be an object: `export const meta = { name: '...', description: '...' }`");
    }
    if (!ok) return undefined;
    return { encode: exported.get('encode')!.local, decode: exported.get('decode')!.local, ...(meta ? { meta: meta.local } : {}) };
  }

  // ---- scopes ---------------------------------------------------------------------------------

  /** Declares `var`s (deep, not into nested functions) and the body's lexical declarations. */
  private hoistFunctionScope(body: Node[], scope: Scope): void {
    const visit = (n: Node | null | undefined): void => {
      if (!n || typeof n.type !== 'string') return;
      if (/Function/.test(n.type) || n.type === 'ClassBody') return;
      if (n.type === 'VariableDeclaration' && n.kind === 'var')
        for (const d of n.declarations) for (const x of patternNames(d.id)) scope.names.add(x);
      for (const k of Object.keys(n)) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && visit(c));
        else if (v && typeof v.type === 'string' && k !== 'loc') visit(v);
      }
    };
    for (const st of body) visit(st);
    this.hoistLexical(body, scope);
  }

  private hoistLexical(body: Node[], scope: Scope): void {
    for (let st of body) {
      if (st.type === 'ExportNamedDeclaration' && st.declaration) st = st.declaration;
      if (st.type === 'VariableDeclaration' && st.kind !== 'var')
        for (const d of st.declarations) for (const x of patternNames(d.id)) scope.names.add(x);
      else if ((st.type === 'FunctionDeclaration' || st.type === 'ClassDeclaration') && st.id) scope.names.add(st.id.name);
      else if (st.type === 'ImportDeclaration') for (const s of st.specifiers) scope.names.add(s.local.name);
    }
  }

  private resolves(name: string, scope: Scope): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }

  // ---- walking --------------------------------------------------------------------------------

  private walkStatements(body: Node[], scope: Scope): void {
    for (const st of body) this.walk(st, scope);
  }

  private reference(id: Node, scope: Scope, parent?: Node): void {
    const name: string = id.name;
    if (this.skipGlobals) return;
    if (!Object.prototype.hasOwnProperty.call(FORBIDDEN_GLOBALS, name) || this.resolves(name, scope)) return;
    // `typeof X` on a missing global is harmless and is how portable code feature-tests.
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
    const call = parent?.type === 'CallExpression' && parent.callee === id;
    const what = name === 'require' && call ? '`require(...)` imports a module' : `the global \`${name}\` is not available`;
    this.report('forbidden', id, `${what}: ${FORBIDDEN_GLOBALS[name]}`, name);
  }

  /** Walks a binding pattern: declared names are not references, defaults and computed keys are. */
  private walkPattern(p: Node | null, scope: Scope, assignment: boolean, parent?: Node): void {
    if (!p) return;
    switch (p.type) {
      case 'Identifier':
        if (assignment) this.reference(p, scope, parent);
        return;
      case 'MemberExpression':
        this.walk(p, scope);
        return;
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') this.walkPattern(prop.argument, scope, assignment, prop);
          else {
            if (prop.computed) this.walk(prop.key, scope);
            this.walkPattern(prop.value, scope, assignment, prop);
          }
        }
        return;
      case 'ArrayPattern':
        for (const e of p.elements) this.walkPattern(e, scope, assignment, p);
        return;
      case 'RestElement':
        this.walkPattern(p.argument, scope, assignment, p);
        return;
      case 'AssignmentPattern':
        this.walkPattern(p.left, scope, assignment, p);
        this.walk(p.right, scope);
        return;
      default:
        this.walk(p, scope);
    }
  }

  private fnDepth = 0;

  private walkFunction(fn: Node, scope: Scope): void {
    this.fnDepth++;
    try {
      this.walkFunctionBody(fn, scope);
    } finally {
      this.fnDepth--;
    }
  }

  private walkFunctionBody(fn: Node, scope: Scope): void {
    const fscope: Scope = { parent: scope, names: new Set() };
    if (fn.type === 'FunctionExpression' && fn.id) fscope.names.add(fn.id.name);
    for (const p of fn.params) for (const x of patternNames(p)) fscope.names.add(x);
    if (fn.body.type === 'BlockStatement') this.hoistFunctionScope(fn.body.body, fscope);
    for (const p of fn.params) this.walkPattern(p, fscope, false, fn);
    if (fn.body.type === 'BlockStatement') this.walkStatements(fn.body.body, fscope);
    else this.walk(fn.body, fscope, fn);
  }

  private walk(n: Node | null | undefined, scope: Scope, parent?: Node): void {
    if (!n) return;
    switch (n.type) {
      case 'Identifier':
        this.reference(n, scope, parent);
        return;
      case 'ImportDeclaration':
        this.report(
          'forbidden',
          n,
          `\`import ... from '${n.source.value}'\`: a codec is one self-contained module with no imports — inline what you need`,
        );
        return;
      case 'ImportExpression':
        this.report('forbidden', n, 'dynamic `import(...)` is not allowed: a codec is one self-contained module with no imports');
        this.walk(n.source, scope, n);
        return;
      case 'MetaProperty':
        if (n.meta.name === 'import') this.report('forbidden', n, '`import.meta` is not available: a codec has no module location');
        return;
      case 'ExportNamedDeclaration':
        if (n.declaration) this.walk(n.declaration, scope, n);
        else if (!n.source) for (const s of n.specifiers) this.reference(s.local, scope, s);
        return;
      case 'ExportDefaultDeclaration':
        this.walk(n.declaration, scope, n);
        return;
      case 'ExportAllDeclaration':
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.walkFunction(n, scope);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const cscope: Scope = { parent: scope, names: new Set(n.id ? [n.id.name] : []) };
        this.walk(n.superClass, scope, n);
        for (const m of n.body.body) {
          if (m.type === 'StaticBlock') {
            const b: Scope = { parent: cscope, names: new Set() };
            this.hoistFunctionScope(m.body, b);
            this.walkStatements(m.body, b);
            continue;
          }
          if (m.computed) this.walk(m.key, cscope, m);
          if (m.value) this.walk(m.value, cscope, m);
        }
        return;
      }
      case 'VariableDeclaration':
        for (const d of n.declarations) {
          this.walkPattern(d.id, scope, false, d);
          this.walk(d.init, scope, d);
        }
        return;
      case 'BlockStatement': {
        const b: Scope = { parent: scope, names: new Set() };
        this.hoistLexical(n.body, b);
        this.walkStatements(n.body, b);
        return;
      }
      case 'StaticBlock':
        return;
      case 'SwitchStatement': {
        this.walk(n.discriminant, scope, n);
        const b: Scope = { parent: scope, names: new Set() };
        for (const c of n.cases) this.hoistLexical(c.consequent, b);
        for (const c of n.cases) {
          this.walk(c.test, b, c);
          this.walkStatements(c.consequent, b);
        }
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        if (n.await && this.fnDepth === 0)
          this.report('contract', n, 'top-level `for await` is not supported: a codec module loads synchronously');
        const b: Scope = { parent: scope, names: new Set() };
        const init = n.type === 'ForStatement' ? n.init : n.left;
        if (init?.type === 'VariableDeclaration' && init.kind !== 'var')
          for (const d of init.declarations) for (const x of patternNames(d.id)) b.names.add(x);
        if (n.type === 'ForStatement') {
          this.walk(n.init, b, n);
          this.walk(n.test, b, n);
          this.walk(n.update, b, n);
        } else {
          if (n.left.type === 'VariableDeclaration') this.walk(n.left, b, n);
          else this.walkPattern(n.left, b, true, n);
          this.walk(n.right, b, n);
        }
        this.walk(n.body, b, n);
        return;
      }
      case 'CatchClause': {
        const b: Scope = { parent: scope, names: new Set(n.param ? patternNames(n.param) : []) };
        if (n.param) this.walkPattern(n.param, b, false, n);
        this.hoistLexical(n.body.body, b);
        this.walkStatements(n.body.body, b);
        return;
      }
      case 'MemberExpression':
        this.walk(n.object, scope, n);
        if (n.computed) this.walk(n.property, scope, n);
        return;
      case 'Property':
      case 'PropertyDefinition':
      case 'MethodDefinition':
        if (n.computed) this.walk(n.key, scope, n);
        this.walk(n.value, scope, n);
        return;
      case 'AssignmentExpression':
        if (n.left.type === 'Identifier' || /Pattern$/.test(n.left.type)) this.walkPattern(n.left, scope, true, n);
        else this.walk(n.left, scope, n);
        this.walk(n.right, scope, n);
        return;
      case 'AwaitExpression':
        // Inside a function acorn only accepts await in async ones (refused as exports or harmless);
        // at module level it parses, but encode and decode are synchronous and the module is run as a script.
        if (this.fnDepth === 0)
          this.report('contract', n, 'top-level `await` is not supported: a codec module loads synchronously — compute tables directly');
        this.walk(n.argument, scope, n);
        return;
      case 'LabeledStatement':
        this.walk(n.body, scope, n);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      default:
        for (const k of Object.keys(n)) {
          if (k === 'loc' || k === 'type') continue;
          const v = n[k];
          if (Array.isArray(v)) {
            for (const c of v) if (c && typeof c.type === 'string') this.walk(c, scope, n);
          } else if (v && typeof v === 'object' && typeof v.type === 'string') this.walk(v, scope, n);
        }
    }
  }
}

/** Names bound by a declaration pattern. */
function patternNames(p: Node | null): string[] {
  if (!p) return [];
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((x: Node) => patternNames(x.type === 'RestElement' ? x.argument : x.value));
    case 'ArrayPattern':
      return p.elements.flatMap((x: Node | null) => patternNames(x));
    case 'RestElement':
      return patternNames(p.argument);
    case 'AssignmentPattern':
      return patternNames(p.left);
    default:
      return [];
  }
}
