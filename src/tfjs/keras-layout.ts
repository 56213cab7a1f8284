// Keras' weight layout and ours: Keras keeps kernel [I, G*H] and recurrent_kernel [H, G*H]
// (inputs by gate columns); our cells keep rows [G*H, I] and [G*H, H]. The gate blocks are in
// the same order (pLSTM r, o, g; LSTM i, f, g, o = Keras' i, f, c, o), so converting is a
// transpose.

/** Transposes a row-major [rows, cols] matrix into a new [cols, rows] one. */
export function transpose(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols); // [cols, rows]
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  }
  return out;
}
