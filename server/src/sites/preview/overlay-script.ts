import { OVERLAY_PROTOCOL, STABLE_SELECTOR_PATTERN } from '@orchestrator/shared';

/*
 * The design-mode overlay the preview proxy injects into a site's HTML (one <script src> per page). It
 * runs inside the site, on the preview origin, so it is plain ES2017 kept as text here rather than
 * compiled app code. Its messages are the OverlayMessage / PageMessage shapes of shared/site-studio.ts:
 * it talks only to `window.parent` with the parent origin the proxy wrote on its script tag, and
 * ignores every message that does not come from that window and origin.
 *
 * Design mode (off until the page turns it on): hover outlines an element, click selects it, Esc
 * clears, ↑ selects the parent. An "apply" message edits the element live (text, class, src/alt/href).
 * The proxy prefixes absolute paths with /s/<token>; the overlay reports and takes them without it.
 */

export const OVERLAY_PATH = '/__orchestrator/overlay.js';

export const OVERLAY_SCRIPT = `(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || window.parent === window || window.__orchestratorOverlay) return;
  window.__orchestratorOverlay = true;
  var PARENT = me.getAttribute('data-parent-origin') || '';
  var PREFIX = me.getAttribute('data-prefix') || '';
  var PROTOCOL = ${JSON.stringify(OVERLAY_PROTOCOL)};
  var STABLE = new RegExp(${JSON.stringify(STABLE_SELECTOR_PATTERN)});
  var ATTRS = { src: 1, alt: 1, href: 1 };
  var on = false, hovered = null, selected = null, boxes = null;

  function post(msg) { msg.protocol = PROTOCOL; window.parent.postMessage(msg, PARENT); }
  function clip(s, n) { return s.length > n ? s.slice(0, n) : s; }
  function unprefix(v) { return PREFIX && v && v.indexOf(PREFIX + '/') === 0 ? v.slice(PREFIX.length) : v; }
  function prefix(v) { return PREFIX && /^\\/(?!\\/)/.test(v) ? PREFIX + v : v; }
  function mine(el) { return boxes && (el === boxes.hover || el === boxes.sel || el === boxes.label); }

  function box(colour, dashed) {
    var d = document.createElement('div');
    d.setAttribute('data-orchestrator-overlay-box', '');
    d.style.cssText = 'position:fixed;pointer-events:none;z-index:2147483646;box-sizing:border-box;display:none;border:2px ' +
      (dashed ? 'dashed ' : 'solid ') + colour + ';background:' + (dashed ? 'rgba(59,130,246,.06)' : 'rgba(249,115,22,.08)') + ';border-radius:2px';
    document.documentElement.appendChild(d);
    return d;
  }
  function ensureBoxes() {
    if (boxes) return;
    boxes = { hover: box('#3b82f6', true), sel: box('#f97316', false), label: document.createElement('div') };
    boxes.label.style.cssText = 'position:fixed;pointer-events:none;z-index:2147483647;display:none;font:11px/1.4 system-ui,sans-serif;' +
      'background:#f97316;color:#fff;padding:1px 5px;border-radius:3px;white-space:nowrap';
    document.documentElement.appendChild(boxes.label);
  }
  function place(d, el) {
    if (!el || !el.isConnected) { d.style.display = 'none'; return null; }
    var r = el.getBoundingClientRect();
    d.style.display = 'block';
    d.style.left = r.left + 'px'; d.style.top = r.top + 'px';
    d.style.width = r.width + 'px'; d.style.height = r.height + 'px';
    return r;
  }
  function draw() {
    if (!boxes) return;
    place(boxes.hover, on && hovered !== selected ? hovered : null);
    var r = place(boxes.sel, selected);
    if (r && selected) {
      boxes.label.textContent = selected.localName + (selected.classList.length ? '.' + Array.prototype.slice.call(selected.classList, 0, 3).join('.') : '');
      boxes.label.style.display = 'block';
      boxes.label.style.left = Math.max(0, r.left) + 'px';
      boxes.label.style.top = Math.max(0, r.top - 18) + 'px';
    } else boxes.label.style.display = 'none';
  }

  var ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
  function uniqueId(el) {
    return el.id && ID.test(el.id) && document.querySelectorAll('#' + el.id).length === 1 ? '#' + el.id : null;
  }
  function selectorOf(el) {
    var steps = [];
    for (var cur = el; cur && cur !== document.body; cur = cur.parentElement) {
      var id = uniqueId(cur);
      if (id) return [id].concat(steps).join(' > ');
      var tag = cur.localName.toLowerCase();
      var n = 1;
      for (var sib = cur.previousElementSibling; sib; sib = sib.previousElementSibling) if (sib.localName === cur.localName) n++;
      steps.unshift(tag + ':nth-of-type(' + n + ')');
    }
    return ['body'].concat(steps).join(' > ');
  }
  function find(selector) {
    if (typeof selector !== 'string' || !STABLE.test(selector)) return null;
    try { return document.querySelector(selector); } catch (e) { return null; }
  }
  function selectable(el) {
    return el && el.nodeType === 1 && !mine(el) && el !== document.documentElement && document.body && document.body.contains(el);
  }
  // Elements whose content is not their text (void and embedded ones): no Text field for them.
  var NO_TEXT = /^(img|input|br|hr|area|base|col|embed|link|meta|source|track|wbr|video|audio|iframe|canvas|svg|picture|object|select)$/;
  function describe(el) {
    var d = {
      selector: selectorOf(el),
      tag: el.localName,
      text: el.children.length === 0 && !NO_TEXT.test(el.localName) ? clip((el.textContent || '').trim(), 5000) : null,
      classes: Array.prototype.slice.call(el.classList, 0, 200).map(function (c) { return clip(c, 200); })
    };
    ['src', 'alt', 'href'].forEach(function (a) { if (el.hasAttribute(a)) d[a] = clip(unprefix(el.getAttribute(a) || ''), 5000); });
    return d;
  }
  function select(el) {
    selected = el;
    draw();
    if (el) post({ type: 'selected', element: describe(el) });
    else post({ type: 'cleared' });
  }

  document.addEventListener('mousemove', function (e) {
    if (!on) return;
    hovered = selectable(e.target) ? e.target : null;
    ensureBoxes(); draw();
  }, true);
  document.addEventListener('mouseleave', function () { hovered = null; draw(); }, true);
  document.addEventListener('click', function (e) {
    if (!on) return;
    e.preventDefault(); e.stopPropagation();
    if (selectable(e.target)) { ensureBoxes(); select(e.target); }
  }, true);
  document.addEventListener('submit', function (e) { if (on) e.preventDefault(); }, true);
  document.addEventListener('keydown', function (e) {
    if (!on) return;
    if (e.key === 'Escape') { e.preventDefault(); select(null); }
    else if (e.key === 'ArrowUp' && selected && selected !== document.body && selected.parentElement) {
      e.preventDefault(); select(selected.parentElement);
    }
  }, true);
  window.addEventListener('scroll', draw, true);
  window.addEventListener('resize', draw);

  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || e.origin !== PARENT) return;
    var m = e.data;
    if (!m || typeof m !== 'object' || m.protocol !== PROTOCOL) return;
    if (m.type === 'design-mode') {
      on = m.on === true;
      if (!on) hovered = null;
      ensureBoxes(); draw();
      document.documentElement.style.cursor = on ? 'crosshair' : '';
    } else if (m.type === 'select') {
      var target = m.selector === null ? null : find(m.selector);
      ensureBoxes(); select(target && selectable(target) ? target : null);
    } else if (m.type === 'apply' && typeof m.value === 'string') {
      var el = find(m.selector);
      if (!el) return;
      if (m.kind === 'text' && el.children.length === 0) el.textContent = m.value;
      else if (m.kind === 'class') el.setAttribute('class', m.value);
      else if (m.kind === 'attr' && ATTRS[m.name] === 1) el.setAttribute(m.name, m.name === 'alt' ? m.value : prefix(m.value));
      else return;
      draw();
      if (el === selected) post({ type: 'selected', element: describe(el) });
    }
  });

  // Once the page's elements exist, so that the page can restore a selection and live edits.
  function ready() { post({ type: 'ready', path: clip(unprefix(location.pathname), 2000) }); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
`;
