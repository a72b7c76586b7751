/**
 * The static parts of the HTML report: its style sheet and the script that builds the page from the JSON data
 * block. The script is plain browser JavaScript kept as text (the Lambda and the CLI never run it); it reads
 * the data with JSON.parse and writes every value with textContent, so nothing from a log becomes markup.
 * test/browser/html-report.test.ts runs it in Chromium.
 */

export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f5f6f8; --card: #fff;
  --critical: #8b0000; --high: #c62828; --medium: #b26a00; --low: #1565c0; --info: #607080; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.page { background: #1d2330; color: #fff; padding: 16px 24px; }
header.page h1 { margin: 0 0 4px; font-size: 20px; font-weight: 600; }
header.page .meta { color: #c9cfdb; font-size: 13px; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h2 { font-size: 17px; margin: 24px 0 12px; }
.summary { font-weight: 600; margin-top: 6px; color: #fff; }
.notes { margin: 12px 0; padding: 8px 12px; background: #fff8e1; border: 1px solid #f0d48a; border-radius: 6px; }
.notes li { margin: 2px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 8px; padding: 14px 18px; margin: 0 0 16px; }
.card.sev-critical { border-left-color: var(--critical); } .card.sev-high { border-left-color: var(--high); }
.card.sev-medium { border-left-color: var(--medium); } .card.sev-low { border-left-color: var(--low); }
.card h3 { margin: 0 0 8px; font-size: 16px; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 1px 8px; margin-right: 8px; border-radius: 10px;
  font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #fff; background: var(--info); vertical-align: 2px; }
.badge.sev-critical { background: var(--critical); } .badge.sev-high { background: var(--high); }
.badge.sev-medium { background: var(--medium); } .badge.sev-low { background: var(--low); }
.status { display: inline-block; padding: 1px 8px; margin-left: 8px; border: 1px solid var(--line); border-radius: 10px; font-size: 12px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: 110px 1fr; gap: 4px 12px; margin: 8px 0; }
dl.facts dt { color: var(--muted); font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px 10px; background: #f3f4f7; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.change { margin: 4px 0; }
.diff { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 6px; }
.diff .label { font-size: 12px; color: var(--muted); margin-bottom: 2px; }
.diff .before pre { background: #fdecea; } .diff .after pre { background: #e8f5e9; }
.lag { font-weight: 600; color: var(--high); }
.timeline { margin-top: 10px; }
.timeline .caption { font-size: 12px; color: var(--muted); margin-top: 4px; }
.timeline .markers { margin: 4px 0 0; padding-left: 18px; font-size: 12px; }
.timeline .markers .cause { color: var(--high); font-weight: 600; }
.chart { width: 100%; min-height: 120px; }
button.link { border: 0; background: none; color: #0b57d0; cursor: pointer; padding: 0; font: inherit; text-decoration: underline; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin-bottom: 8px; }
.filters label { white-space: nowrap; }
.filters select, .filters input[type=search] { font: inherit; padding: 2px 6px; }
table.findings { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
table.findings th, table.findings td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.findings th { background: #eceef2; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
table.findings td.subject { overflow-wrap: anywhere; max-width: 420px; }
table.findings td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.findings tr.row { cursor: pointer; } table.findings tr.row:hover { background: #f7f9fc; }
table.findings tr.details td { background: #fafbfc; }
table.findings tr.details pre { margin: 4px 0 8px; }
.count { color: var(--muted); margin-left: 8px; }
.empty { color: var(--muted); font-style: italic; }
@media (max-width: 800px) { .diff { grid-template-columns: 1fr; } dl.facts { grid-template-columns: 1fr; } }
`;

export const PAGE_SCRIPT = `(function () {
'use strict';
var data = JSON.parse(document.getElementById('report-data').textContent);
var SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
var WHOLE_STEPS = [];
for (var step = 1; step < 1e10; step *= 10) WHOLE_STEPS.push(step, step * 2, step * 5);
var PALETTE = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#4e342e', '#9e9d24', '#757575'];

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
  return parent;
}
function fact(dl, term, value) {
  if (value === undefined || value === null || value === '') return;
  add(dl, el('dt', null, term));
  var dd = el('dd');
  if (typeof value === 'string') dd.textContent = value; else dd.appendChild(value);
  dl.appendChild(dd);
}
function badge(severity) { return el('span', 'badge sev-' + severity, severity); }
function when(iso) { return iso ? iso.replace('T', ' ').replace(/(\\.\\d+)?Z$/, ' UTC') : ''; }
function span(first, last) {
  if (!first) return 'no time recorded';
  return first === last || !last ? when(first) : when(first) + ' to ' + when(last);
}
function seconds(n) {
  if (n < 120) return n + ' s';
  if (n < 7200) return Math.round(n / 60) + ' min';
  return Math.round(n / 3600) + ' h';
}
function plural(n, word) { return n.toLocaleString('en-US') + ' ' + word + (n === 1 ? '' : 's'); }

var byFingerprint = {};
data.findings.forEach(function (f) { byFingerprint[f.fingerprint] = f; });

function renderHeader() {
  document.getElementById('title').textContent = 'EKS authorization audit: ' + data.cluster;
  document.title = 'eks-authz-audit: ' + data.cluster;
  document.getElementById('meta').textContent = data.source + ' · generated ' + when(data.generatedAt);
  document.getElementById('summary').textContent = data.summary;
  var notes = document.getElementById('notes');
  if (data.notes.length === 0) notes.hidden = true;
  data.notes.forEach(function (n) { notes.appendChild(el('li', null, n)); });
}

function changeBlock(c) {
  var box = el('div', 'change');
  var who = [c.username, c.arn ? '(' + c.arn + ')' : ''].filter(Boolean).join(' ');
  var line = 'aws-auth ' + c.verb + (who ? ' by ' + who : '') + ' at ' + when(c.time);
  var from = [c.sourceIP ? 'from ' + c.sourceIP : '', c.userAgent ? 'with ' + c.userAgent : ''].filter(Boolean).join(' ');
  add(box, el('div', null, line + (from ? ', ' + from : '')));
  if (c.auditID) add(box, el('div', 'count', 'auditID ' + c.auditID));
  if (typeof c.firstFailureAfterSeconds === 'number') {
    add(box, el('div', 'lag', 'First ' + (c.firstFailure || 'failure') + ' ' + seconds(c.firstFailureAfterSeconds) + ' after this change'));
  }
  if (c.before !== undefined || c.after !== undefined) {
    var diff = el('div', 'diff');
    [['before', 'Before', c.before], ['after', 'After', c.after]].forEach(function (side) {
      var col = el('div', side[0]);
      add(col, el('div', 'label', side[1]));
      add(col, el('pre', null, side[2] === undefined ? '(not known)' : side[2] === null ? '(no entry)' : side[2]));
      diff.appendChild(col);
    });
    box.appendChild(diff);
  }
  return box;
}

var charts = [];

function timelineBlock(incident) {
  var box = el('div', 'timeline');
  var chart = incident.chart;
  if (!chart) {
    add(box, el('div', 'empty', 'No timeline: none of its findings carried a time.'));
    return box;
  }
  var holder = el('div', 'chart');
  holder.setAttribute('data-incident', incident.id);
  box.appendChild(holder);
  var per = chart.per === 'node' ? 'per node' : 'per finding';
  var caption = 'Events ' + per + ' in ' + seconds(chart.bucketSeconds) + ' buckets (UTC); dashed lines: writes of ConfigMap kube-system/aws-auth.';
  if (chart.estimated) caption += ' Some counts come from aggregated query rows and are spread evenly between their first and last event.';
  add(box, el('div', 'caption', caption));
  if (chart.markers.length > 0) {
    var list = el('ul', 'markers');
    chart.markers.forEach(function (m) {
      list.appendChild(el('li', m.cause ? 'cause' : null, when(new Date(m.t * 1000).toISOString()) + ' ' + m.label + (m.cause ? ' (the change behind this incident)' : '')));
    });
    box.appendChild(list);
  }
  charts.push({ holder: holder, chart: chart });
  return box;
}

function renderIncidents() {
  var root = document.getElementById('incidents');
  document.getElementById('incident-count').textContent = '(' + data.incidents.length + ')';
  if (data.incidents.length === 0) root.appendChild(el('p', 'empty', 'No incidents.'));
  data.incidents.forEach(function (inc) {
    var card = el('article', 'card incident sev-' + inc.severity);
    card.id = 'incident-' + inc.id;
    var h = el('h3');
    add(h, badge(inc.severity), el('span', 'title', inc.title));
    if (inc.status) h.appendChild(el('span', 'status', inc.status));
    card.appendChild(h);
    var dl = el('dl', 'facts');
    var cause = el('div');
    add(cause, el('div', null, inc.cause.summary));
    if (inc.cause.roleArn) add(cause, el('div', 'count', inc.cause.roleArn));
    if (inc.cause.change) cause.appendChild(changeBlock(inc.cause.change));
    else if (inc.cause.changeUnknown) add(cause, el('div', 'count', inc.cause.changeUnknown));
    fact(dl, 'Cause', cause);
    fact(dl, 'Impact', inc.impact);
    fact(dl, 'Fix', el('pre', null, inc.remediation));
    if (inc.nodes && inc.nodes.count > 0) {
      var more = inc.nodes.count - inc.nodes.names.length;
      fact(dl, 'Nodes', inc.nodes.names.join(', ') + (more > 0 ? ' and ' + more + ' more' : ''));
    }
    fact(dl, 'Seen', span(inc.firstSeen, inc.lastSeen));
    var show = el('button', 'link', 'show its ' + plural(inc.findings.length, 'finding'));
    show.type = 'button';
    show.addEventListener('click', function () { filterState.incident = inc.id; syncFilters(); applyFilters(); document.getElementById('findings').scrollIntoView(); });
    fact(dl, 'Findings', show);
    card.appendChild(dl);
    card.appendChild(timelineBlock(inc));
    root.appendChild(card);
  });
}

function markerPlugin(markers) {
  return {
    hooks: {
      draw: [function (u) {
        var ctx = u.ctx;
        var px = window.devicePixelRatio || 1;
        ctx.save();
        ctx.font = Math.round(11 * px) + 'px system-ui, sans-serif';
        markers.forEach(function (m, i) {
          var x = Math.round(u.valToPos(m.t, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          ctx.strokeStyle = m.cause ? '#c62828' : '#6b7280';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.lineWidth = (m.cause ? 2 : 1) * px;
          ctx.setLineDash([6 * px, 4 * px]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          // Labels to the right of their line, or to the left in the right third; staggered so neighbours do not overlap.
          var right = x > u.bbox.left + u.bbox.width * 2 / 3;
          ctx.textAlign = right ? 'right' : 'left';
          ctx.textBaseline = 'top';
          ctx.fillText(m.label, x + (right ? -4 : 4) * px, u.bbox.top + (4 + 14 * (i % 3)) * px);
        });
        ctx.restore();
      }],
    },
  };
}

function drawCharts() {
  charts.forEach(function (c) {
    var chart = c.chart;
    var width = Math.max(320, c.holder.clientWidth || 800);
    var opts = {
      width: width,
      height: 240,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: [{ label: 'UTC' }].concat(chart.series.map(function (s, i) {
        return { label: s.label + ' (' + s.total.toLocaleString('en-US') + ')', stroke: PALETTE[i % PALETTE.length], width: 2,
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } };
      })),
      // Counts are whole: ticks at 1, 2, 5, 10, 20, 50... never at 0.2.
      axes: [{}, { label: 'events per ' + seconds(chart.bucketSeconds), size: 56, incrs: WHOLE_STEPS }],
      plugins: [markerPlugin(chart.markers)],
    };
    c.plot = new uPlot(opts, [chart.x].concat(chart.series.map(function (s) { return s.values; })), c.holder);
  });
  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { if (c.plot) c.plot.setSize({ width: Math.max(320, c.holder.clientWidth), height: 240 }); });
    });
  });
}

var filterState = { severities: {}, rule: '', incident: '', text: '' };
SEVERITIES.forEach(function (s) { filterState.severities[s] = true; });
var incidentOf = {};
data.incidents.forEach(function (inc) { inc.findings.forEach(function (fp) { incidentOf[fp] = inc; }); });
var rows = [];

function subjectText(f) {
  return Object.keys(f.subject).map(function (k) { return k + '=' + f.subject[k]; }).join('  ');
}

function evidenceText(e) {
  var parts = [e.time, e.verb, e.requestURI, e.code !== undefined ? String(e.code) : undefined, e.decision].filter(Boolean);
  var s = parts.join(' ');
  var why = e.reason || e.message;
  if (why) s += (s ? ': ' : '') + why;
  if (e.auditID) s += ' (auditID ' + e.auditID + ')';
  if (e.source) s += ' @ ' + e.source;
  if (e.truncated) s += ' [truncated]';
  return s;
}

function renderFilters() {
  var box = document.getElementById('filters');
  var sev = el('span');
  SEVERITIES.forEach(function (s) {
    var n = data.findings.filter(function (f) { return f.severity === s; }).length;
    if (n === 0) return;
    var label = el('label');
    var box2 = el('input');
    box2.type = 'checkbox';
    box2.checked = true;
    box2.name = 'severity';
    box2.value = s;
    box2.addEventListener('change', function () { filterState.severities[s] = box2.checked; applyFilters(); });
    add(label, box2, document.createTextNode(' '), badge(s), el('span', 'count', String(n)));
    sev.appendChild(label);
  });
  box.appendChild(sev);

  var rule = el('select');
  rule.id = 'rule-filter';
  rule.appendChild(new Option('all rules', ''));
  Array.from(new Set(data.findings.map(function (f) { return f.ruleId; }))).sort().forEach(function (id) {
    rule.appendChild(new Option(id, id));
  });
  rule.addEventListener('change', function () { filterState.rule = rule.value; applyFilters(); });
  add(box, add(el('label', null, 'Rule '), rule));

  var incident = el('select');
  incident.id = 'incident-filter';
  incident.appendChild(new Option('all incidents', ''));
  data.incidents.forEach(function (inc) { incident.appendChild(new Option(inc.title, inc.id)); });
  incident.addEventListener('change', function () { filterState.incident = incident.value; applyFilters(); });
  if (data.incidents.length > 0) add(box, add(el('label', null, 'Incident '), incident));

  var text = el('input');
  text.type = 'search';
  text.id = 'text-filter';
  text.placeholder = 'filter by text';
  text.addEventListener('input', function () { filterState.text = text.value.toLowerCase(); applyFilters(); });
  box.appendChild(text);
  box.appendChild(el('span', 'count', ''));
}

function syncFilters() {
  var incident = document.getElementById('incident-filter');
  if (incident) incident.value = filterState.incident;
}

function renderTable() {
  var body = document.getElementById('findings-body');
  data.findings.forEach(function (f) {
    var tr = el('tr', 'row');
    var sev = el('td');
    sev.appendChild(badge(f.severity));
    add(tr, sev, el('td', 'rule', f.ruleId), el('td', null, f.title), el('td', 'subject', subjectText(f)),
      el('td', 'num', f.count.toLocaleString('en-US')), el('td', null, when(f.firstSeen)), el('td', null, when(f.lastSeen)));
    var details = el('tr', 'details');
    details.hidden = true;
    var cell = el('td');
    cell.colSpan = 7;
    var inc = incidentOf[f.fingerprint];
    if (inc) add(cell, el('div', 'count', 'Incident: ' + inc.title));
    add(cell, el('pre', null, f.message), el('div', 'label', 'Fix'), el('pre', null, f.remediation));
    if (f.evidence.length > 0) {
      var ul = el('ul');
      f.evidence.forEach(function (e) { ul.appendChild(el('li', null, evidenceText(e))); });
      add(cell, el('div', 'label', 'Evidence'), ul);
    }
    add(cell, el('div', 'count', 'fingerprint ' + f.fingerprint));
    details.appendChild(cell);
    tr.addEventListener('click', function () { details.hidden = !details.hidden; });
    add(body, tr, details);
    rows.push({ finding: f, row: tr, details: details, text: (f.ruleId + ' ' + f.title + ' ' + subjectText(f) + ' ' + f.message).toLowerCase() });
  });
}

function applyFilters() {
  var shown = 0;
  var members = null;
  if (filterState.incident) {
    members = {};
    data.incidents.forEach(function (inc) { if (inc.id === filterState.incident) inc.findings.forEach(function (fp) { members[fp] = true; }); });
  }
  rows.forEach(function (r) {
    var f = r.finding;
    var ok = filterState.severities[f.severity] && (!filterState.rule || f.ruleId === filterState.rule) &&
      (!members || members[f.fingerprint]) && (!filterState.text || r.text.indexOf(filterState.text) >= 0);
    r.row.hidden = !ok;
    if (!ok) r.details.hidden = true;
    if (ok) shown++;
  });
  var count = document.querySelector('#filters > .count');
  if (count) count.textContent = 'showing ' + shown + ' of ' + rows.length;
}

renderHeader();
renderIncidents();
renderFilters();
renderTable();
applyFilters();
drawCharts();
document.body.setAttribute('data-ready', 'true');
})();
`;
