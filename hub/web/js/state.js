// The meeting as this client sees it: the `view` of the last snapshot, with every later
// event folded in. Field names are the protocol's (docs/PROTOCOL.md), so screens read
// `state.view.agenda`, `state.view.polls`… directly.

import { adopt, load, save } from './local.js';

const MEMBER_ROLES = new Set(['chair', 'delegate']);
/** Roles that see everything (§1.5). */
const OVERSEERS = new Set(['chair', 'secretariat']);
/** Roles whose view is the hall's: the delegates and the screen. */
const HALL_ROLES = new Set(['delegate', 'projector']);

/** Fires `change` with `detail: {kind}` (the event's kind, `snapshot` or `notes`). */
export class MeetingState extends EventTarget {
  constructor() {
    super();
    this.view = null;
    this.me = null;
    this.seq = 0;
    /** The participant's private notes (never events; §1.9.3). */
    this.notes = [];
    /** Receipts of this badge's secret ballots, by poll id: `{receipt, fingerprint}`,
     *  kept once the hub acknowledged the ballot (`local.js`, under this badge only). */
    this.receipts = {};
  }

  /** Listens to a `HubConnection`'s frames. */
  attach(connection) {
    connection.addEventListener('snapshot', (e) => this.loadSnapshot(e.detail));
    connection.addEventListener('resumed', (e) => { this.me = e.detail.me; });
    connection.addEventListener('event', (e) => this.applyEvent(e.detail));
    connection.addEventListener('notes', (e) => this.applyNotes(e.detail));
    connection.addEventListener('attendance', (e) => this.applyAttendance(e.detail));
    connection.addEventListener('people', (e) => this.applyPeople(e.detail));
    // Here, not in the vote panel: an ack may come before the screen is mounted.
    connection.addEventListener('ack', (e) => {
      const { command, frame } = e.detail;
      if (command?.op !== 'cast_sealed_ballot') return;
      // The receipt and fingerprint of the ballot this badge encrypted (vote.js keeps it
      // before sending); the hub's receipt only if this device lost it.
      const sealed = load(`ballot.${command.poll}`)?.sealed;
      this.keepReceipt(command.poll, sealed?.receipt ?? frame.receipt ?? null, sealed?.fingerprint ?? null);
    });
    return this;
  }

  loadSnapshot(frame) {
    // Another badge's ballots, receipts and secrets leave this browser before anything is drawn.
    adopt(frame.me);
    this.view = frame.view;
    // A delegate's or the screen's view lists only the people it names (PROTOCOL.md §1.5):
    // its counters come from the hub's `attendance` frames, never from that list.
    this.view.hall = HALL_ROLES.has(frame.me.role);
    this.me = frame.me;
    this.seq = frame.seq;
    this.receipts = load('receipts', {});
    this.#changed('snapshot');
  }

  /** The hall's counters (an `attendance` frame replaces them; not an event). */
  applyAttendance(frame) {
    if (!this.view) return;
    const { summoned, present, quorum, quorum_reached } = frame;
    Object.assign(this.view.attendance, { summoned, present, quorum, quorum_reached });
    this.#changed('attendance');
  }

  /** People the hall must name from now on (a speaker): added to the view's list. */
  applyPeople(frame) {
    if (!this.view) return;
    for (const p of frame.participants ?? []) replaceById(this.view.participants, p);
    this.#changed('people');
  }

  applyNotes(frame) {
    const gone = new Set(frame.deleted ?? []);
    const byId = new Map(frame.replace ? [] : this.notes.map((n) => [n.id, n]));
    for (const id of gone) byId.delete(id);
    for (const n of frame.notes ?? []) byId.set(n.id, n);
    this.notes = [...byId.values()].sort((a, b) => b.updated_at - a.updated_at);
    this.#changed('notes');
  }

  /** Keeps the receipt and the fingerprint of this badge's sealed ballot in `poll`. */
  keepReceipt(poll, receipt, fingerprint) {
    this.receipts[poll] = { receipt, fingerprint };
    save('receipts', this.receipts); // else still on screen for this page's life
    this.#changed('receipt');
  }

  // Lookups the screens share.
  participant(id) { return this.view?.participants.find((p) => p.id === id) ?? null; }
  item(id) { return this.view?.agenda.find((i) => i.id === id) ?? null; }
  currentItem() { return this.view?.agenda.find((i) => i.status === 'current') ?? null; }
  poll(id) { return this.view?.polls.find((p) => p.poll.id === id) ?? null; }
  openPoll() { return this.view?.polls.find((p) => p.status === 'open') ?? null; }
  openPolls() { return this.view?.polls.filter((p) => p.status === 'open') ?? []; }
  /** The counting committee a poll is sealed with, if it is the one in the view. */
  committeeOf(pv) {
    const c = this.view?.committee;
    return c && pv.sealed && c.committee.id === pv.sealed.committee ? c : null;
  }

  /** Folds one `event` frame into the view. Events at or below the view's seq are
   *  already in it (a resume replays from the last seq we had). */
  applyEvent(frame) {
    if (!this.view || frame.seq <= this.seq) return;
    this.seq = frame.seq;
    const ev = frame.event;
    const fold = FOLD[ev.kind];
    if (fold) fold(this.view, ev, frame.at, this.me);
    this.#changed(ev.kind);
  }

  #changed(kind) {
    this.dispatchEvent(new CustomEvent('change', { detail: { kind } }));
  }
}

function replaceById(list, item, key = 'id') {
  const i = list.findIndex((x) => x[key] === item[key]);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

function recount(view) {
  if (!view.hall) view.attendance.summoned = view.participants.filter((p) => MEMBER_ROLES.has(p.role)).length;
  const [num, den] = String(view.attendance.quorum ?? view.meeting.quorum).split('/').map(Number);
  const { present, summoned } = view.attendance;
  view.attendance.quorum_reached = summoned > 0 && present * den >= num * summoned;
}

function pollOf(view, id) {
  return view.polls.find((p) => p.poll.id === id);
}

const FOLD = {
  meeting_created(v, e) { Object.assign(v.meeting, { title: e.title, venue: e.venue, starts_at: e.starts_at, quorum: e.quorum }); },
  meeting_updated(v, e) {
    Object.assign(v.meeting, { title: e.title, venue: e.venue, starts_at: e.starts_at, quorum: e.quorum });
    v.attendance.quorum = e.quorum;
    recount(v);
  },
  meeting_status_changed(v, e) { v.meeting.status = e.status; },
  agenda_item_added(v, e) { v.agenda.push(e.item); },
  agenda_item_updated(v, e) {
    const it = v.agenda.find((i) => i.id === e.item);
    if (it) Object.assign(it, { title: e.title, description: e.description });
  },
  agenda_item_removed(v, e) { v.agenda = v.agenda.filter((i) => i.id !== e.item); },
  agenda_reordered(v, e) {
    const byId = new Map(v.agenda.map((i) => [i.id, i]));
    v.agenda = e.order.map((id) => byId.get(id)).filter(Boolean);
  },
  agenda_item_started(v, e) {
    for (const i of v.agenda) if (i.status === 'current') i.status = 'done';
    const it = v.agenda.find((i) => i.id === e.item);
    if (it) it.status = 'current';
    // As the hub does: the requests waiting on other items close (PROTOCOL.md §1.9.1).
    v.speakers.queue = v.speakers.queue.filter((q) => q.item === e.item);
  },
  agenda_item_finished(v, e) {
    const it = v.agenda.find((i) => i.id === e.item);
    if (it) it.status = 'done';
    v.speakers.queue = v.speakers.queue.filter((q) => q.item !== e.item);
  },
  participant_added(v, e) { v.participants.push(e.participant); recount(v); },
  participant_updated(v, e) { replaceById(v.participants, e.participant); },
  participant_removed(v, e) {
    v.participants = v.participants.filter((p) => p.id !== e.participant);
    v.attendance.present_ids = v.attendance.present_ids.filter((id) => id !== e.participant);
    recount(v);
  },
  checked_in(v, e) {
    v.attendance.present += 1;
    if (e.participant && !v.attendance.present_ids.includes(e.participant)) v.attendance.present_ids.push(e.participant);
    recount(v);
  },
  checked_out(v, e) {
    v.attendance.present = Math.max(0, v.attendance.present - 1);
    if (e.participant) v.attendance.present_ids = v.attendance.present_ids.filter((id) => id !== e.participant);
    recount(v);
  },
  document_published(v, e) { replaceById(v.documents, e.document); },
  document_revised(v, e) {
    const old = v.documents.find((d) => d.id === e.document.id);
    if (old?.delivery && !e.document.delivery) {
      // A new version: nobody holds it yet.
      const d = old.delivery;
      e.document.delivery = { ...d, missing: [...(d.held ?? []), ...(d.missing ?? [])], held: [], copies: [] };
    }
    replaceById(v.documents, e.document);
  },
  // Withdrawn and recalled documents leave every tablet (§4.1).
  document_withdrawn(v, e, at, me) { documentGone(v, e.document, at, me); },
  document_recalled(v, e, at, me) { documentGone(v, e.document, at, me); },
  document_held(v, e) {
    const d = v.documents.find((x) => x.id === e.document)?.delivery;
    if (!d) return;
    d.missing = (d.missing ?? []).filter((p) => p !== e.participant);
    if (!(d.held ?? []).includes(e.participant)) (d.held ??= []).push(e.participant);
    d.copies = (d.copies ?? []).filter((c) => c.participant !== e.participant);
    if (e.sha256) d.copies.push({ participant: e.participant, sha256: e.sha256 });
  },
  // A tablet confirmed it holds no copy of a withdrawn or recalled document.
  document_deleted(v, e) {
    v.to_delete = (v.to_delete ?? []).filter((x) => x.document !== e.document);
    const d = v.documents.find((x) => x.id === e.document)?.delivery;
    if (!d) return;
    d.unconfirmed = (d.unconfirmed ?? []).filter((p) => p !== e.participant);
    if (!(d.deleted ?? []).includes(e.participant)) (d.deleted ??= []).push(e.participant);
  },
  document_opened(v, e) {
    const d = v.documents.find((x) => x.id === e.document)?.delivery;
    if (d && !(d.opened ?? []).includes(e.participant)) (d.opened ??= []).push(e.participant);
  },
  speaker_queued(v, e, at) { v.speakers.queue.push({ participant: e.participant, item: e.item, requested_at: at }); },
  speaker_withdrawn(v, e) { v.speakers.queue = v.speakers.queue.filter((q) => q.participant !== e.participant); },
  floor_given(v, e) {
    v.speakers.queue = v.speakers.queue.filter((q) => q.participant !== e.participant);
    v.speakers.speaking = { participant: e.participant, item: e.item, started_at: e.started_at, limit_secs: e.limit_secs, ended_at: null };
  },
  speech_ended(v, e) {
    const s = v.speakers.speaking;
    if (s && s.participant === e.participant) {
      v.speakers.history.push({ ...s, ended_at: e.ended_at });
      v.speakers.speaking = null;
    }
  },
  speaking_limit_set(v, e) { v.speakers.limit_secs = e.seconds; },
  opinion_request_created(v, e) { v.opinions.push({ request: e.request, replies: [], reminded_at: null, closed_at: null }); },
  opinion_answered(v, e, at) {
    const o = v.opinions.find((x) => x.request.id === e.request);
    if (!o) return;
    o.replies = o.replies.filter((r) => r.participant !== e.participant);
    o.replies.push({ participant: e.participant, answers: e.answers, answered_at: at });
  },
  opinion_reminder_sent(v, e, at) {
    const o = v.opinions.find((x) => x.request.id === e.request);
    if (o) o.reminded_at = at;
  },
  opinion_request_closed(v, e, at) {
    const o = v.opinions.find((x) => x.request.id === e.request);
    if (o) o.closed_at = at;
  },
  document_comment_sent(v, e) { replaceById(v.comments, e.comment); },
  incoming_registered(v, e) { replaceById(v.incoming, e.item); },
  incoming_forwarded(v, e) { replaceById(v.incoming, e.item); },
  incoming_updated(v, e) {
    const it = v.incoming.find((x) => x.id === e.item);
    if (!it) return;
    it.history.push(e.entry);
    it.forwarded_to = e.forwarded_to;
    const directed = new Set(it.history.filter((h) => h.action === 'directed').map((h) => h.by));
    if (it.status !== 'closed' && it.forwarded_to.length > 0 && it.forwarded_to.every((p) => directed.has(p))) {
      it.status = 'answered';
    }
  },
  incoming_closed(v, e) {
    const it = v.incoming.find((x) => x.id === e.item);
    if (!it) return;
    it.history.push(e.entry);
    it.forwarded_to = e.forwarded_to;
    it.status = 'closed';
  },
  calendar_event_added(v, e) {
    replaceById(v.calendar, e.event);
    v.calendar.sort((a, b) => a.starts_at - b.starts_at);
  },
  calendar_event_removed(v, e) { v.calendar = v.calendar.filter((c) => c.id !== e.event); },
  announcement_posted(v, e) { v.announcements.push(e.announcement); },
  // The hub sends the new poll's view with it (options and choice bounds included).
  poll_created(v, e) { if (e.view) v.polls.push(e.view); },
  poll_opened(v, e, _at, me) {
    const p = pollOf(v, e.poll);
    if (!p) return;
    Object.assign(p, { status: 'open', closes_at: e.closes_at, eligible: e.eligible, ballots_in: 0, sealed: e.sealed ?? null });
    const desk = OVERSEERS.has(me?.role);
    if (desk) p.voters = [];
    if (!p.poll.secret && (desk || p.poll.show_running)) p.tallies = new Array(p.options.length).fill(0);
  },
  ballot_cast(v, e, _at, me) {
    const p = pollOf(v, e.poll);
    if (!p) return;
    const again = e.voter && p.voters?.includes(e.voter);
    const mine = me && e.voter && e.voter === me.participant;
    if (mine && p.voted) {
      // A changed ballot: take the old choices out of a running tally.
      if (p.tallies && p.my_choices) for (const c of p.my_choices) p.tallies[c] -= 1;
    } else if (!again) {
      p.ballots_in += 1;
    }
    if (e.voter && p.voters && !again) p.voters.push(e.voter);
    if (mine) {
      p.voted = true;
      if (e.choices) p.my_choices = e.choices;
    }
    if (p.tallies && e.choices) for (const c of e.choices) p.tallies[c] += 1;
  },
  paper_ballots_recorded(v, e) {
    const p = pollOf(v, e.poll);
    if (!p) return;
    p.ballots_in += e.count.valid + e.count.invalid;
    if (p.tallies) e.count.tallies.forEach((t, i) => { p.tallies[i] += t; });
  },
  poll_closed(v, e) {
    const p = pollOf(v, e.poll);
    if (p) Object.assign(p, { status: 'closed', closes_at: null, result: e.result ?? p.result });
  },
  poll_published(v, e) {
    const p = pollOf(v, e.poll);
    if (p) Object.assign(p, { status: 'published', result: e.result, receipts: e.receipts ?? p.receipts });
  },
  // The sealed box (§5.6): closed with its encrypted sum, opened share by share.
  sealed_box_closed(v, e) {
    const p = pollOf(v, e.poll);
    if (!p) return;
    const c = v.committee?.committee.id === p.sealed?.committee ? v.committee.committee : null;
    p.sealed_box = { ballots: e.ballots, fingerprint: e.fingerprint, sum: e.sum, opened_by: [], threshold: c?.threshold ?? null, counts: null };
  },
  decryption_share_given(v, e) {
    const b = pollOf(v, e.poll)?.sealed_box;
    if (b && !b.opened_by.includes(e.member)) b.opened_by.push(e.member);
  },
  sealed_box_opened(v, e) {
    const b = pollOf(v, e.poll)?.sealed_box;
    if (b) b.counts = e.counts;
  },
  poll_counted(v, e) {
    const p = pollOf(v, e.poll);
    if (p) p.result = e.result ?? p.result;
  },
  // The counting committee and its key setup. The event carries no `params`: a member's
  // device asks the hub's view for them (committee.js).
  counting_committee_set(v, e, _at, me) {
    const sees = OVERSEERS.has(me?.role) || e.committee.members.includes(me?.participant);
    v.committee = { committee: e.committee, params: null, status: 'making_key', round: 1, done: [], key: null, fingerprint: null, failure: null, messages: sees ? [] : null };
  },
  key_message_sent(v, e) {
    const c = v.committee;
    if (!c || c.committee.id !== e.committee) return;
    c.messages?.push(e.message);
    // As the hub counts (engine/committee.rs): the round under way is the first one some
    // member has not sent; the hub takes only messages of that round.
    if (e.message.round !== c.round) return;
    const who = c.committee.members[e.message.member];
    if (!c.done.includes(who)) c.done.push(who);
    if (c.done.length >= c.committee.members.length && c.round < 4) {
      c.round += 1;
      c.done = [];
    }
  },
  committee_key_ready(v, e) {
    const c = v.committee;
    if (c && c.committee.id === e.committee) Object.assign(c, { status: 'ready', key: e.key, fingerprint: e.fingerprint });
  },
  committee_key_failed(v, e) {
    const c = v.committee;
    if (c && c.committee.id === e.committee) Object.assign(c, { status: 'failed', failure: e.reason });
  },
  poll_cancelled(v, e) {
    const p = pollOf(v, e.poll);
    if (p) Object.assign(p, { status: 'cancelled', closes_at: null });
  },
  // What the secretariat adds to the minutes (the secretariat's and the chair's view only).
  minutes_details_set(v, e) { recordOf(v).details = e.details; },
  conclusion_set(v, e) {
    const r = recordOf(v);
    r.conclusions = r.conclusions.filter((c) => c.item !== e.item);
    if (e.text) r.conclusions.push({ item: e.item, text: e.text });
    const at = new Map(v.agenda.map((i, n) => [i.id, n]));
    r.conclusions.sort((a, b) => (at.get(a.item) ?? 1e9) - (at.get(b.item) ?? 1e9));
  },
  minutes_notes_set(v, e) { recordOf(v).notes = e.text; },
  absence_reason_set(v, e) {
    const r = recordOf(v);
    r.absences = r.absences.filter((a) => a.participant !== e.participant);
    if (e.reason) r.absences.push({ participant: e.participant, reason: e.reason });
  },
};

function recordOf(v) {
  v.record ??= { details: { header: 'party', superior: '', body: '', number: '', place: '' }, conclusions: [], notes: '', absences: [] };
  return v.record;
}

function documentGone(v, doc, at, me) {
  // The secretariat and the chair keep it in the list, marked, with its delivery: every
  // recipient owes a confirmation of deletion from now on. Others drop it, and their
  // tablet owes the hub that confirmation (`to_delete`, as a snapshot would list it).
  if (OVERSEERS.has(me?.role)) {
    const old = v.documents.find((d) => d.id === doc.id)?.delivery;
    if (old) {
      const recipients = [...(old.held ?? []), ...(old.missing ?? [])];
      const deleted = old.deleted ?? [];
      doc.delivery = { ...old, gone_at: at, deleted, unconfirmed: recipients.filter((p) => !deleted.includes(p)) };
    }
    replaceById(v.documents, doc);
  } else {
    v.documents = v.documents.filter((d) => d.id !== doc.id);
    v.to_delete = (v.to_delete ?? []).filter((x) => x.document !== doc.id);
    v.to_delete.push({ document: doc.id, version: doc.versions.length, status: doc.status });
  }
}
