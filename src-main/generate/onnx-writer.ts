/**
 * A minimal ONNX ModelProto encoder: enough protobuf to write small models (initializers, nodes,
 * typed graph inputs/outputs with fixed or symbolic dims) that onnxruntime loads. It exists so the
 * tiny Wan2.x-shaped test models (scripts/make-tiny-t2v.mjs) can be built without Python or a
 * protobuf dependency. Output is a pure function of the input: no timestamps, fields in a fixed
 * order, so the same model description always gives the same bytes.
 *
 * This file must stay free of imports: scripts/make-tiny-t2v.mjs transpiles it and imports the
 * result from a data: URL, where relative imports cannot resolve.
 *
 * Field numbers follow onnx/onnx.proto (proto2). Repeated scalars are written unpacked, as the
 * reference serializer does for proto2; every protobuf parser accepts that form.
 */

export type TensorDType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool' | 'float16';

/** TensorProto.DataType values. */
const DATA_TYPE: Record<TensorDType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

const BYTES_PER_ELEMENT: Record<TensorDType, number> = {
  float32: 4,
  uint8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
};

/** A constant tensor (initializer or attribute value), stored as little-endian raw_data. */
export interface TensorInit {
  name: string;
  dtype: TensorDType;
  dims: readonly number[];
  /**
   * Element values. float16 takes its raw 16-bit patterns (Uint16Array); int64 takes bigint or
   * number values (numbers must be safe integers).
   */
  data:
    | Float32Array
    | Int32Array
    | BigInt64Array
    | Uint8Array
    | Uint16Array
    | readonly number[]
    | readonly bigint[];
}

/** A graph input or output: element type and shape, each dim a size or a symbolic name. */
export interface ValueInfo {
  name: string;
  dtype: TensorDType;
  shape: readonly (number | string)[];
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number | bigint }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorInit }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly (number | bigint)[] }
  | { kind: 'strings'; value: readonly string[] };

/** Attribute constructors: ONNX distinguishes int from float attributes, JavaScript numbers do not. */
export const attr = {
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  int: (value: number | bigint): AttributeValue => ({ kind: 'int', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  tensor: (value: TensorInit): AttributeValue => ({ kind: 'tensor', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  ints: (value: readonly (number | bigint)[]): AttributeValue => ({ kind: 'ints', value }),
  strings: (value: readonly string[]): AttributeValue => ({ kind: 'strings', value }),
};

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** Written in key order as given (keep it fixed for byte-identical output). */
  attrs?: Readonly<Record<string, AttributeValue>>;
  /** Operator domain; '' (the default ONNX domain) when omitted. */
  domain?: string;
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  docString?: string;
}

export interface ModelSpec {
  graph: GraphSpec;
  /** Default opset 17 of the default domain. */
  opset?: number;
  /** Default 8, the IR version that goes with opset 17. */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** metadata_props, written in key order. */
  metadata?: Readonly<Record<string, string>>;
}

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();

/** Append-only protobuf byte writer. */
class PbWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Unsigned varint of a 64-bit value; negative int64 values take their two's complement (10 bytes). */
  varint(v: number | bigint): void {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff) {
      let n = v;
      while (n > 0x7f) {
        this.byte((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.byte(n);
      return;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new RangeError(`ONNX integer field needs a safe integer, got ${v}`);
    }
    let n = BigInt.asUintN(64, BigInt(v));
    while (n > 0x7fn) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  intField(field: number, v: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
  }

  floatField(field: number, v: number): void {
    this.tag(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes(b);
  }

  bytesField(field: number, b: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(b.length);
    this.bytes(b);
  }

  stringField(field: number, s: string): void {
    this.bytesField(field, utf8.encode(s));
  }

  messageField(field: number, write: (w: PbWriter) => void): void {
    const sub = new PbWriter();
    write(sub);
    this.bytesField(field, sub.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}

/** Little-endian raw bytes of a tensor's values. */
export function tensorRawData(t: TensorInit): Uint8Array {
  const n = elementCount(t.dims);
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(
      `tensor ${t.name}: dims must be non-negative integers, got [${t.dims.join(', ')}]`,
    );
  }
  if (t.data.length !== n) {
    throw new RangeError(
      `tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(', ')}] (needs ${n})`,
    );
  }
  const out = new Uint8Array(n * BYTES_PER_ELEMENT[t.dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.data[i] as number | bigint;
    switch (t.dtype) {
      case 'float32':
        view.setFloat32(i * 4, Number(v), true);
        break;
      case 'int32':
        view.setInt32(i * 4, Number(v), true);
        break;
      case 'int64':
        if (typeof v === 'number' && !Number.isSafeInteger(v)) {
          throw new RangeError(`tensor ${t.name}: int64 value ${v} is not a safe integer`);
        }
        view.setBigInt64(i * 8, BigInt(v), true);
        break;
      case 'float16':
        view.setUint16(i * 2, Number(v), true);
        break;
      case 'uint8':
      case 'bool':
        view.setUint8(i, Number(v));
        break;
    }
  }
  return out;
}

function writeTensor(w: PbWriter, t: TensorInit): void {
  for (const d of t.dims) w.intField(1, d); // dims
  w.intField(2, DATA_TYPE[t.dtype]); // data_type
  w.stringField(8, t.name); // name
  w.bytesField(9, tensorRawData(t)); // raw_data
}

function writeAttribute(w: PbWriter, name: string, a: AttributeValue): void {
  w.stringField(1, name);
  switch (a.kind) {
    case 'float':
      w.floatField(2, a.value);
      break;
    case 'int':
      w.intField(3, a.value);
      break;
    case 'string':
      w.stringField(4, a.value);
      break;
    case 'tensor':
      w.messageField(5, (t) => writeTensor(t, a.value));
      break;
    case 'floats':
      for (const f of a.value) w.floatField(7, f);
      break;
    case 'ints':
      for (const i of a.value) w.intField(8, i);
      break;
    case 'strings':
      for (const s of a.value) w.stringField(9, s);
      break;
  }
  w.intField(20, ATTR_TYPE[a.kind]); // type
}

function writeNode(w: PbWriter, n: NodeSpec): void {
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  if (n.name !== undefined) w.stringField(3, n.name);
  w.stringField(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) {
    w.messageField(5, (a) => writeAttribute(a, k, v));
  }
  if (n.domain !== undefined && n.domain !== '') w.stringField(7, n.domain);
}

function writeValueInfo(w: PbWriter, v: ValueInfo): void {
  w.stringField(1, v.name);
  // TypeProto { tensor_type: TypeProto.Tensor { elem_type, shape: TensorShapeProto { dim* } } }
  w.messageField(2, (type) =>
    type.messageField(1, (tensor) => {
      tensor.intField(1, DATA_TYPE[v.dtype]);
      tensor.messageField(2, (shape) => {
        for (const d of v.shape) {
          shape.messageField(1, (dim) => {
            if (typeof d === 'number') {
              if (!Number.isInteger(d) || d < 0) {
                throw new RangeError(`${v.name}: dim ${d} is not a non-negative integer`);
              }
              dim.intField(1, d); // dim_value
            } else {
              dim.stringField(2, d); // dim_param
            }
          });
        }
      });
    }),
  );
}

function writeGraph(w: PbWriter, g: GraphSpec): void {
  for (const n of g.nodes) w.messageField(1, (m) => writeNode(m, n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.messageField(5, (m) => writeTensor(m, t));
  if (g.docString !== undefined) w.stringField(10, g.docString);
  for (const v of g.inputs) w.messageField(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.messageField(12, (m) => writeValueInfo(m, v));
}

/** Serializes a model to ONNX (ModelProto) bytes. */
export function encodeModel(model: ModelSpec): Uint8Array {
  checkGraph(model.graph);
  const w = new PbWriter();
  w.intField(1, model.irVersion ?? 8); // ir_version
  if (model.producerName !== undefined) w.stringField(2, model.producerName);
  if (model.producerVersion !== undefined) w.stringField(3, model.producerVersion);
  if (model.docString !== undefined) w.stringField(6, model.docString);
  w.messageField(7, (g) => writeGraph(g, model.graph));
  w.messageField(8, (o) => {
    o.stringField(1, ''); // the default ONNX domain
    o.intField(2, model.opset ?? 17);
  });
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.messageField(14, (m) => {
      m.stringField(1, key);
      m.stringField(2, value);
    });
  }
  return w.finish();
}

/**
 * Catches wiring mistakes here, with the name at fault, rather than as an onnxruntime load
 * failure: every node input must be a graph input, an initializer or an earlier node's output
 * (nodes must be in topological order), names are assigned once, and every output is produced.
 */
function checkGraph(g: GraphSpec): void {
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (name === '') throw new Error(`graph ${g.name}: ${what} has an empty name`);
    if (defined.has(name)) throw new Error(`graph ${g.name}: '${name}' is defined twice (${what})`);
    defined.add(name);
  };
  for (const v of g.inputs) define(v.name, 'graph input');
  for (const t of g.initializers) define(t.name, 'initializer');
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      // '' marks an omitted optional input.
      if (i !== '' && !defined.has(i)) {
        throw new Error(
          `graph ${g.name}: node ${n.name ?? n.op} reads '${i}' before it is defined`,
        );
      }
    }
    for (const o of n.outputs) define(o, `output of node ${n.name ?? n.op}`);
  }
  for (const v of g.outputs) {
    if (!defined.has(v.name))
      throw new Error(`graph ${g.name}: output '${v.name}' is never produced`);
  }
}
