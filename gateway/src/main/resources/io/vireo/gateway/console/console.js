// The Vireo console: a page per hash route, data from /console/api, calls through the gateway's
// own mappings (POST /<service>/<pkg.Service>/<Method>, POST /events/<topic>?type=).
'use strict';
(function () {
  const BASE = location.pathname.replace(/\/+$/, '');           // "/console", or "/prefix/console"
  const ROOT = BASE.slice(0, BASE.length - '/console'.length);  // where the gateway's mappings are
  const main = document.getElementById('main');
  const tokenInput = document.getElementById('token');
  let leave = [];                                              // what to stop when the page changes

  tokenInput.value = sessionStorage.getItem('vireo.token') || '';
  tokenInput.addEventListener('change', () => { sessionStorage.setItem('vireo.token', tokenInput.value.trim()); render(); });
  document.getElementById('token-form').addEventListener('submit', (e) => { e.preventDefault(); tokenInput.dispatchEvent(new Event('change')); });

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const svgNode = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };
  const badge = (text) => el('span', { class: 'badge ' + text }, text);
  const pretty = (text) => { try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; } };

  function authHeaders() {
    const token = tokenInput.value.trim();
    return token ? { authorization: 'Bearer ' + token } : {};
  }

  async function api(path) {
    const response = await fetch(BASE + '/api/' + path, { headers: authHeaders() });
    const text = await response.text();
    if (!response.ok) throw new Error(response.status + ' ' + errorText(text));
    return JSON.parse(text);
  }
  function errorText(text) {
    try { const e = JSON.parse(text); return (e.code || '') + ': ' + (e.message || text); } catch (x) { return text; }
  }

  // Server-sent events read with fetch (so that the bearer token goes along); reconnects after 3 s.
  function subscribe(path, onData) {
    const control = new AbortController();
    let stopped = false;
    async function run() {
      while (!stopped) {
        try {
          const response = await fetch(BASE + '/api/' + path, { headers: Object.assign({ accept: 'text/event-stream' }, authHeaders()), signal: control.signal });
          if (!response.ok) { onData(null, response.status + ' ' + errorText(await response.text())); }
          else {
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let buffer = '';
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              buffer += decoder.decode(value, { stream: true });
              let end;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const block = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const data = block.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n');
                if (data) onData(JSON.parse(data));
              }
            }
          }
        } catch (e) {
          if (stopped) return;
          onData(null, String(e.message || e));
        }
        if (!stopped) await new Promise(r => setTimeout(r, 3000));
      }
    }
    run();
    leave.push(() => { stopped = true; control.abort(); });
  }

  function parseHash() {
    const hash = decodeURIComponent(location.hash.slice(1) || '/services');
    const q = location.hash.indexOf('?');
    const path = (q >= 0 ? location.hash.slice(1, q) : location.hash.slice(1)) || '/services';
    const params = new URLSearchParams(q >= 0 ? location.hash.slice(q + 1) : '');
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params, hash };
  }

  function show(title, ...content) {
    document.title = title + ' · Vireo console';
    main.replaceChildren(...content.filter(c => c !== null && c !== undefined));
  }

  function render() {
    leave.forEach(stop => stop());
    leave = [];
    const { parts, params } = parseHash();
    document.getElementById('nav-services').toggleAttribute('aria-current', false);
    document.getElementById('nav-events').toggleAttribute('aria-current', false);
    const page = parts[0] || 'services';
    const nav = document.getElementById(page === 'events' ? 'nav-events' : 'nav-services');
    nav.setAttribute('aria-current', 'page');
    if (page === 'service' && parts[1]) servicePage(parts[1]);
    else if (page === 'call' && parts.length >= 4) endpointPage(parts[1], parts[2], parts[3], params);
    else if (page === 'events') eventsPage(params);
    else servicesPage();
  }

  // services, live

  function servicesPage() {
    const body = el('tbody');
    const state = el('p', { class: 'muted small', id: 'services-state' }, 'Connecting…');
    show('Services', el('h2', {}, 'Services'), state,
      el('table', { id: 'services' }, el('caption', { class: 'muted small', style: 'text-align:left' }, 'Updated as the registry changes'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Service'), el('th', { scope: 'col' }, 'Instances'),
          el('th', { scope: 'col', class: 'hide-narrow' }, 'Transports'), el('th', { scope: 'col', class: 'hide-narrow' }, 'Versions'))), body));
    subscribe('services/stream', (services, error) => {
      if (error) { state.textContent = 'Disconnected: ' + error + ' (retrying)'; state.className = 'error small'; return; }
      state.textContent = services.length + ' service' + (services.length === 1 ? '' : 's') + ', live';
      state.className = 'muted small';
      body.replaceChildren(...services.map(s => el('tr', { 'data-service': s.name },
        el('td', {}, el('a', { href: '#/service/' + encodeURIComponent(s.name) }, s.name)),
        el('td', { class: 'count' }, String(s.instances)),
        el('td', { class: 'hide-narrow' }, s.transports.join(', ')),
        el('td', { class: 'hide-narrow' }, s.versions.join(', ') || '—'))));
      if (!services.length) body.append(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No service in the registry yet')));
    });
  }

  // one service

  async function servicePage(name) {
    show(name, el('h2', {}, name), el('p', { class: 'muted' }, 'Loading…'));
    let service;
    try { service = await api('services/' + encodeURIComponent(name)); }
    catch (e) { show(name, el('h2', {}, name), el('p', { class: 'error', role: 'alert' }, String(e.message))); return; }
    const charts = el('div', { class: 'charts', id: 'charts' }, el('p', { class: 'muted small' }, 'Charts appear after two metric samples.'));
    show(name,
      el('h2', {}, name, ' ', service.breaker ? el('span', { class: 'small' }, 'breaker ', badge(service.breaker)) : null),
      el('h3', {}, 'Instances'),
      el('div', { style: 'overflow-x:auto' }, el('table', { id: 'instances' },
        el('thead', {}, el('tr', {}, ['Address', 'Transport', 'Version', 'Weight', 'Ready', 'Metadata'].map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, service.instances.length ? service.instances.map(i => el('tr', {},
          el('td', { class: 'mono' }, i.address), el('td', {}, i.transport), el('td', {}, i.version || '—'), el('td', {}, String(i.weight)),
          el('td', {}, el('span', { title: i.readyDetail }, badge(i.ready))),
          el('td', { class: 'mono small' }, Object.entries(i.metadata).map(([k, v]) => el('div', {}, k + '=' + v)))))
          : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No instance'))))),
      el('h3', {}, 'Endpoints'),
      service.schemaError ? el('p', { class: 'error', role: 'alert' }, 'No schema: ' + service.schemaError) : null,
      el('ul', { id: 'endpoints' }, service.endpoints.map(ep => el('li', {},
        el('a', { class: 'endpoint', href: callHash(name, ep) }, ep.service + '/' + ep.method), ' ',
        el('span', { class: 'kind' }, ep.kind), ' ',
        el('span', { class: 'small muted' }, ep.requestType + ' → ' + ep.responseType),
        el('details', {}, el('summary', { class: 'small' }, 'Schemas'),
          el('div', { class: 'grid' }, el('div', {}, el('strong', { class: 'small' }, ep.requestType), fieldList(ep.request)),
            el('div', {}, el('strong', { class: 'small' }, ep.responseType), fieldList(ep.response))))))),
      el('h3', {}, 'Calls, last minutes'), charts);
    watchMetrics(name, service.endpoints, charts);
  }

  function callHash(name, ep, params) {
    return '#/call/' + encodeURIComponent(name) + '/' + encodeURIComponent(ep.service) + '/' + encodeURIComponent(ep.method) + (params ? '?' + params : '');
  }

  function fieldList(fields) {
    if (!fields || !fields.length) return el('p', { class: 'muted small' }, 'no fields');
    return el('ul', { class: 'small' }, fields.map(f => el('li', {}, el('code', {}, f.name), ' ',
      el('span', { class: 'muted' }, (f.label === 'optional' ? '' : f.label + ' ') + f.type), f.fields ? fieldList(f.fields) : null)));
  }

  function watchMetrics(name, endpoints, into) {
    subscribe('services/' + encodeURIComponent(name) + '/metrics/stream', (metrics, error) => {
      if (error || !metrics) return;
      const shown = endpoints.filter(ep => metrics[ep.metric] && metrics[ep.metric].length);
      if (!shown.length) return;
      into.replaceChildren(...shown.map(ep => chartGroup(ep.service + '/' + ep.method, metrics[ep.metric])));
    });
  }

  function chartGroup(title, points) {
    return el('div', { class: 'chart-group', style: 'flex:1 1 100%' }, el('div', { class: 'small' }, el('strong', {}, title)),
      el('div', { class: 'charts' },
        chart('calls/s', points.map(p => p.rate), v => v.toFixed(1)),
        chart('error rate', points.map(p => p.errors), v => (v * 100).toFixed(1) + ' %'),
        chart('p99', points.map(p => p.p99), v => v === null ? '—' : (v < 10 ? v.toFixed(2) : v.toFixed(0)) + ' ms')));
  }

  function chart(label, values, format) {
    const numbers = values.map(v => (v === null || isNaN(v)) ? 0 : v);
    const max = Math.max(...numbers, 1e-9);
    const step = numbers.length > 1 ? 100 / (numbers.length - 1) : 100;
    const svg = svgNode('svg', { viewBox: '0 0 100 40', preserveAspectRatio: 'none', role: 'img',
      'aria-label': label + ' over the last ' + numbers.length + ' samples, now ' + format(values[values.length - 1]) });
    svg.append(svgNode('polyline', { points: numbers.map((v, i) => (i * step).toFixed(2) + ',' + (38 - 36 * v / max).toFixed(2)).join(' '),
      'vector-effect': 'non-scaling-stroke' }));
    return el('div', { class: 'chart' }, el('div', { class: 'small' }, label, ' ', el('span', { class: 'value' }, format(values[values.length - 1]))), svg,
      el('div', { class: 'small muted' }, 'max ' + format(max)));
  }

  // an endpoint: the call form

  async function endpointPage(name, protoService, method, params) {
    const title = protoService + '/' + method;
    show(title, el('h2', {}, title), el('p', { class: 'muted' }, 'Loading…'));
    let ep = null;
    let loadError = null;
    try {
      const service = await api('services/' + encodeURIComponent(name));
      ep = service.endpoints.find(e => e.service === protoService && e.method === method) || null;
      if (!ep) loadError = service.schemaError || ('service ' + name + ' has no endpoint ' + title);
    } catch (e) { loadError = String(e.message); }
    const kind = ep ? ep.kind : 'UNARY';
    const body = el('textarea', { id: 'body', spellcheck: 'false', 'aria-describedby': 'body-help' });
    body.value = params.has('body') ? params.get('body') : ep ? JSON.stringify(ep.example, null, 2) : '{}';
    const headers = el('textarea', { id: 'headers', spellcheck: 'false', rows: 3, style: 'min-height:4em', placeholder: 'x-tenant: acme' });
    headers.value = params.get('headers') || '';
    const timeout = el('input', { id: 'timeout', type: 'text', value: params.get('timeout') || '10s', 'aria-describedby': 'timeout-help' });
    const status = el('div', { class: 'status', id: 'status', role: 'status' });
    const reply = el('pre', { id: 'reply', tabindex: '0', 'aria-label': 'Reply' });
    const messages = el('ol', { class: 'messages', id: 'messages', 'aria-label': 'Stream messages' });
    const share = el('input', { id: 'share', type: 'text', readonly: true, class: 'share mono', 'aria-label': 'Link to this request' });
    const charts = el('div', { class: 'charts', id: 'charts' }, el('p', { class: 'muted small' }, 'Charts appear after two metric samples (from the instances\' /metrics).'));
    const shareParams = () => new URLSearchParams({ body: body.value, headers: headers.value, timeout: timeout.value }).toString();
    const updateShare = () => { share.value = location.origin + location.pathname + callHash(name, { service: protoService, method }, shareParams()); };
    [body, headers, timeout].forEach(input => input.addEventListener('input', updateShare));
    let inFlight = null;
    leave.push(() => inFlight && inFlight.abort());

    async function send(event) {
      event.preventDefault();
      if (inFlight) inFlight.abort();
      const control = new AbortController();
      inFlight = control;
      history.replaceState(null, '', callHash(name, { service: protoService, method }, shareParams()));
      updateShare();
      reply.textContent = '';
      messages.replaceChildren();
      status.className = 'status';
      status.textContent = 'Sending…';
      const sent = Object.assign({ 'content-type': 'application/json' }, authHeaders());
      for (const line of headers.value.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) sent[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if (timeout.value.trim()) sent['x-request-timeout'] = timeout.value.trim();
      const started = performance.now();
      const path = ROOT + '/' + encodeURIComponent(name) + '/' + protoService + '/' + method;
      try {
        const response = await fetch(path, { method: 'POST', headers: sent, body: body.value, signal: control.signal });
        const type = response.headers.get('content-type') || '';
        const head = response.status + ' ' + (response.ok ? 'OK' : response.statusText || 'error');
        if (type.startsWith('application/x-ndjson') && response.ok) {
          status.textContent = head + ' · streaming…';
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          let count = 0;
          let failed = null;
          const take = (line) => {
            if (!line.trim()) return;
            let parsed = null;
            try { parsed = JSON.parse(line); } catch (e) { parsed = null; }
            if (parsed && parsed.error && Object.keys(parsed).length === 1) { failed = parsed.error; }
            count++;
            messages.append(el('li', { class: failed ? 'error' : '' }, el('pre', {}, pretty(line))));
            status.textContent = head + ' · ' + count + ' message' + (count === 1 ? '' : 's') + ' · ' + Math.round(performance.now() - started) + ' ms';
          };
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end;
            while ((end = buffer.indexOf('\n')) >= 0) { take(buffer.slice(0, end)); buffer = buffer.slice(end + 1); }
          }
          take(buffer);
          const elapsed = Math.round(performance.now() - started);
          status.textContent = (failed ? 'stream failed: ' + failed.code : head) + ' · ' + count + ' message' + (count === 1 ? '' : 's') + ' · ' + elapsed + ' ms';
          status.className = 'status ' + (failed ? 'error' : 'OK');
        } else {
          const text = await response.text();
          const elapsed = Math.round(performance.now() - started);
          status.textContent = head + ' · ' + elapsed + ' ms';
          status.className = 'status ' + (response.ok ? 'OK' : 'error');
          reply.textContent = pretty(text);
        }
      } catch (e) {
        if (e.name === 'AbortError') return;
        status.textContent = 'Failed: ' + e.message;
        status.className = 'status error';
      } finally {
        if (inFlight === control) inFlight = null;
      }
    }

    show(title,
      el('p', { class: 'small' }, el('a', { href: '#/service/' + encodeURIComponent(name) }, '← ' + name)),
      el('h2', {}, title, ' ', el('span', { class: 'kind' }, kind)),
      loadError ? el('p', { class: 'error', role: 'alert' }, loadError) : null,
      el('form', { id: 'call', onsubmit: send },
        el('div', { class: 'grid' },
          el('div', {},
            el('label', { for: 'body' }, 'Request' + (ep ? ' (' + ep.requestType + ')' : '')), body,
            el('p', { id: 'body-help', class: 'small muted' }, 'JSON, prefilled from the request schema. Ctrl+Enter sends.')),
          el('div', {},
            el('label', { for: 'headers' }, 'Headers (one "name: value" per line)'), headers,
            el('label', { for: 'timeout' }, 'Timeout'), timeout,
            el('p', { id: 'timeout-help', class: 'small muted' }, 'Sent as X-Request-Timeout, such as 500ms or 10s.'),
            el('label', { for: 'share' }, 'Link to this request'), share)),
        el('button', { type: 'submit', id: 'send' }, 'Send')),
      status, reply, messages,
      el('h3', {}, 'Calls, last minutes'), charts);
    body.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); });
    updateShare();
    if (ep) {
      subscribe('services/' + encodeURIComponent(name) + '/metrics/stream', (metrics) => {
        if (metrics && metrics[ep.metric] && metrics[ep.metric].length) charts.replaceChildren(chartGroup(title, metrics[ep.metric]));
      });
    }
    body.focus();
  }

  // events

  async function eventsPage(params) {
    const topic = el('input', { id: 'topic', type: 'text', value: params.get('topic') || '', placeholder: 'user.created', required: true });
    const type = el('select', { id: 'type', required: true });
    const body = el('textarea', { id: 'event-body', spellcheck: 'false' });
    body.value = params.get('body') || '{}';
    const status = el('div', { class: 'status', id: 'event-status', role: 'status' });
    const reply = el('pre', { id: 'event-reply', tabindex: '0', 'aria-label': 'Reply' });
    const fields = el('div', { id: 'event-fields' });
    async function chosen() {
      if (!type.value) return;
      try {
        const message = await api('messages/' + encodeURIComponent(type.value));
        if (!params.get('body') || body.dataset.touched) body.value = JSON.stringify(message.example, null, 2);
        fields.replaceChildren(el('strong', { class: 'small' }, message.type), fieldList(message.fields));
      } catch (e) { fields.replaceChildren(el('p', { class: 'error' }, String(e.message))); }
      body.dataset.touched = '1';
    }
    type.addEventListener('change', chosen);
    async function publish(event) {
      event.preventDefault();
      const query = new URLSearchParams({ topic: topic.value, type: type.value, body: body.value });
      history.replaceState(null, '', '#/events?' + query);
      status.textContent = 'Publishing…';
      status.className = 'status';
      const started = performance.now();
      try {
        const response = await fetch(ROOT + '/events/' + encodeURIComponent(topic.value.trim()) + '?type=' + encodeURIComponent(type.value),
          { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, authHeaders()), body: body.value });
        const text = await response.text();
        status.textContent = response.status + ' ' + (response.ok ? 'Accepted' : 'error') + ' · ' + Math.round(performance.now() - started) + ' ms';
        status.className = 'status ' + (response.ok ? 'OK' : 'error');
        reply.textContent = pretty(text);
      } catch (e) { status.textContent = 'Failed: ' + e.message; status.className = 'status error'; }
    }
    show('Events', el('h2', {}, 'Publish an event'),
      el('form', { id: 'publish-form', onsubmit: publish },
        el('div', { class: 'row' },
          el('div', {}, el('label', { for: 'topic' }, 'Topic'), topic),
          el('div', {}, el('label', { for: 'type' }, 'Type (a message of the running services)'), type)),
        el('div', { class: 'grid' },
          el('div', {}, el('label', { for: 'event-body' }, 'Event (JSON)'), body),
          el('div', {}, el('label', {}, 'Fields'), fields)),
        el('button', { type: 'submit', id: 'publish' }, 'Publish')),
      status, reply);
    try {
      const names = await api('messages');
      type.replaceChildren(el('option', { value: '' }, names.length ? 'Choose a message type' : 'No message type known'),
        ...names.map(n => el('option', { value: n, selected: n === params.get('type') }, n)));
      if (params.get('type')) chosen();
    } catch (e) { status.textContent = String(e.message); status.className = 'status error'; }
    topic.focus();
  }

  // A page in the back/forward cache would keep its streams open, and a browser gives each host
  // only six HTTP/1.1 connections: close them on leaving, open them again on coming back.
  window.addEventListener('pagehide', () => { leave.forEach(stop => stop()); leave = []; });
  window.addEventListener('pageshow', (e) => { if (e.persisted) render(); });
  window.addEventListener('hashchange', render);
  render();
})();
