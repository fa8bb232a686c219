// The document viewer: PDFs drawn by pdf.js on a canvas, one page at a time, with zoom
// and page buttons large enough for a finger (Android's browser shows no PDF inline).
// Comments to the secretariat and private notes are written from here, on the page read.

import * as pdfjs from '/vendor/pdfjs/pdf.min.mjs';
import { t } from './i18n.js';
import { h, fill, toast, refusal } from './ui.js';
import { documentBytes, reportHeld } from './offline.js';
import { newId } from './connection.js';
import { verdictLine } from './signature.js';

pdfjs.GlobalWorkerOptions.workerSrc = '/vendor/pdfjs/pdf.worker.min.mjs';

// One pdf.js worker for the page, started as the tablet's screen loads (online): a
// document first opened with the Wi-Fi down then still has a worker, whose script could
// not be fetched any more. Each document is given it, so freeing a document (its loading
// task) leaves the worker for the next one.
let pdfWorker = null;
function sharedWorker() {
  if (!pdfWorker || pdfWorker.destroyed) {
    const port = new Worker(pdfjs.GlobalWorkerOptions.workerSrc, { type: 'module' });
    pdfWorker = new pdfjs.PDFWorker({ port });
  }
  return pdfWorker;
}
sharedWorker();

/**
 * Opens `doc` full screen over the page, at `page` (a search's hit). `connection` sends the
 * delivery reports, comments and notes; a `bare` viewer (a library item, a hit in another
 * meeting) sends none and reads the bytes from `url`. Returns a function that closes the viewer; closing frees the
 * document (pdf.js's loading task; the shared worker stays) and never throws, so the page's
 * keyboard handler and `onClose` always run.
 */
export function openViewer(doc, { connection, state, onClose, page: startPage = 1, url = null, bare = false }) {
  const meeting = state?.me?.meeting;
  const canvas = h('canvas', { class: 'pdf-page', 'data-testid': 'pdf-canvas', 'aria-label': doc.title });
  const pageLabel = h('span', { class: 'page-label', 'aria-live': 'polite' }, t('viewer_loading'));
  const stage = h('div', { class: 'viewer-stage' }, canvas);
  const side = h('div', { class: 'viewer-side' });
  let pdf = null;
  // pdf.js 6 frees a document through the task that loaded it: PDFDocumentProxy has no
  // destroy() of its own any more.
  let loading = null;
  let closed = false;
  let page = Math.max(1, startPage);
  let zoom = 1;
  let rendering = null;

  const close = () => {
    if (closed) return;
    closed = true;
    overlay.remove();
    removeEventListener('keydown', onKey);
    const task = loading;
    loading = null;
    pdf = null;
    canvas.width = 0;
    canvas.height = 0;
    try {
      task?.destroy().catch(() => {});
    } catch { /* freeing is best effort; the page goes on */ }
    onClose?.();
  };
  const go = (delta) => { if (pdf && page + delta >= 1 && page + delta <= pdf.numPages) { page += delta; render(); } };
  const scale = (f) => { zoom = Math.min(4, Math.max(0.5, zoom * f)); render(); };
  const onKey = (e) => {
    if (e.key === 'Escape') close();
    if (e.key === 'ArrowRight' || e.key === 'PageDown') go(1);
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(-1);
  };

  const overlay = h('div', { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': doc.title, 'data-testid': 'viewer' },
    h('div', { class: 'viewer-bar' },
      h('button', { class: 'btn', type: 'button', onclick: close, 'data-testid': 'viewer-close' }, `✕ ${t('viewer_close')}`),
      h('div', { class: 'viewer-title' }, h('strong', {}, doc.title), verdictLine(doc.versions[doc.versions.length - 1], { short: true })),
      h('button', { class: 'btn', type: 'button', 'aria-label': t('viewer_zoom_out'), onclick: () => scale(1 / 1.25) }, '−'),
      h('button', { class: 'btn', type: 'button', 'aria-label': t('viewer_zoom_in'), onclick: () => scale(1.25) }, '+'),
      h('button', { class: 'btn', type: 'button', 'aria-label': t('viewer_prev'), onclick: () => go(-1), 'data-testid': 'viewer-prev' }, '‹'),
      pageLabel,
      h('button', { class: 'btn', type: 'button', 'aria-label': t('viewer_next'), onclick: () => go(1), 'data-testid': 'viewer-next' }, '›')),
    stage,
    side);
  document.body.append(overlay);
  addEventListener('keydown', onKey);
  overlay.querySelector('button').focus();

  async function render() {
    const shown = pdf;
    if (!shown) return;
    const want = { page, zoom };
    if (rendering) await rendering.catch(() => {});
    if (closed) return;
    const p = await shown.getPage(want.page);
    if (closed) return;
    // Fit the page's width to the screen, then apply the zoom; draw at the device's
    // pixel ratio so text stays sharp on a tablet.
    const base = p.getViewport({ scale: 1 });
    const fit = Math.max(0.2, (stage.clientWidth - 16) / base.width);
    const viewport = p.getViewport({ scale: fit * want.zoom });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const task = p.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
    rendering = task.promise;
    await rendering;
    if (closed) return;
    canvas.dataset.rendered = String(want.page);
    pageLabel.textContent = t('viewer_page', { page: want.page, pages: shown.numPages });
    drawSide();
  }

  function drawSide() {
    if (bare) return;
    const comment = h('textarea', { id: 'comment-text', placeholder: t('comment_placeholder'), 'data-testid': 'comment-text' });
    const note = h('textarea', { id: 'note-text', placeholder: t('note_placeholder'), 'data-testid': 'note-text' });
    const mine = state.notes.find((n) => n.document === doc.title && n.page === page);
    if (mine) note.value = mine.text;
    fill(side,
      h('div', { class: 'panel' },
        h('label', { for: 'comment-text' }, t('comment_to_secretariat', { page })),
        comment,
        h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'button', 'data-testid': 'comment-send', onclick: async () => {
          const text = comment.value.trim();
          if (!text) return;
          try {
            await connection.send({ op: 'send_document_comment', document: doc.id, page, text });
            comment.value = '';
            toast(t('comment_sent'), 'ok');
          } catch (e) { toast(refusal(e), 'error'); }
        } }, t('send')))),
      h('div', { class: 'panel' },
        h('label', { for: 'note-text' }, t('note_private', { page })),
        note,
        h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', 'data-testid': 'note-save', onclick: async () => {
          const cmd = { op: 'save_note', document: doc.title, page, text: note.value };
          if (mine) cmd.note = mine.id;
          try {
            await connection.send(cmd, newId());
            toast(t('note_saved'), 'ok');
          } catch (e) { toast(refusal(e), 'error'); }
        } }, t('save')))));
  }

  (async () => {
    try {
      const version = doc.versions[doc.versions.length - 1];
      if (version.content_type !== 'application/pdf' && !version.file_name.toLowerCase().endsWith('.pdf')) {
        fill(stage, h('div', { class: 'panel' }, h('p', {}, t('viewer_not_pdf')),
          h('a', { class: 'btn primary', href: `/api/v1/meetings/${meeting}/documents/${doc.id}` }, t('viewer_download'))));
        return;
      }
      const got = await documentBytes(meeting, doc, () => !closed, url);
      if (closed) return;
      if (got.fromCache) pageLabel.textContent = t('viewer_offline_copy');
      // pdf.js takes the buffer over: give it a copy, the kept one stays intact.
      loading = pdfjs.getDocument({ data: got.bytes.slice(), isEvalSupported: false, worker: sharedWorker() });
      const loaded = await loading.promise;
      if (closed) return;
      pdf = loaded;
      page = Math.min(page, loaded.numPages);
      await render();
      if (!bare) report(connection, doc, got);
    } catch (e) {
      if (closed) return;
      // pdf.js says why in English: that goes apart, after the page's own sentence.
      const why = e?.code || e?.sentence ? e : { sentence: 'viewer_unreadable', message: e?.message ?? String(e) };
      fill(stage, h('p', { class: 'panel', role: 'alert' }, t('viewer_failed'), ' ', refusal(why)));
    }
  })();

  return close;
}

// Delivery reports (§4.3): held once verified, opened once. Failures are harmless: the
// secretariat's view is only a little behind.
function report(connection, doc, got) {
  reportHeld(connection, doc, got);
  const reported = JSON.parse(sessionStorage.getItem('hub.reported') ?? '{}');
  if (!reported[doc.id]) connection.send({ op: 'report_opened', document: doc.id }).catch(() => {});
  reported[doc.id] = true;
  sessionStorage.setItem('hub.reported', JSON.stringify(reported));
}
