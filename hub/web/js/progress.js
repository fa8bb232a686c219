// A response's body read with progress: `onBytes(received, total)` as it comes (total 0
// when the hub sent no length). For the record's exports and a committee member's box.

/** The body as a Blob, telling `onBytes` as it arrives. */
export async function readBody(res, onBytes) {
  const total = Number(res.headers.get('content-length')) || 0;
  if (!res.body?.getReader) return res.blob();
  const reader = res.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onBytes(received, total);
  }
  return new Blob(chunks, { type: res.headers.get('content-type') || '' });
}
