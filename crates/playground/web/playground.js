// The playground's page: settings in the address, the run in the WebAssembly module (the
// project's Rust crates), the views drawn on canvases. Plain script, no framework, no build step.
(function () {
  "use strict";
  const WASM = "/*WASM*/";
  const FAILED = 4294967295;
  const $ = (id) => document.getElementById(id);
  let pg = null;           // the module's exports
  let playing = false;
  let known = { records: 0, metrics: 0 };
  let history = { records: [], metrics: [] };
  let status = null, points = null, fragment = "";
  let frames = 0, totalFrames = 0, stepsSince = 0, since = performance.now();

  function decode(b64) {
    const s = atob(b64), b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }
  function out(len) { return new Uint8Array(pg.memory.buffer, pg.pg_out_ptr(), len).slice(); }
  function text(len) { return new TextDecoder().decode(out(len >>> 0)); }
  function call(name, ...args) {
    // The module returns a u32, which JavaScript reads as a signed i32: make it unsigned again.
    const len = pg[name](...args) >>> 0;
    if (len === FAILED) throw new Error(text(pg.pg_message()));
    return len;
  }
  function json(name, ...args) { return JSON.parse(text(call(name, ...args))); }
  function withBytes(bytes, f) {
    const p = pg.pg_alloc(bytes.length);
    new Uint8Array(pg.memory.buffer, p, bytes.length).set(bytes);
    try { return f(p, bytes.length); } finally { pg.pg_free(p, bytes.length); }
  }
  function say(msg) { $("message").textContent = msg || ""; }

  // --- settings <-> controls <-> address -------------------------------------------------------
  const FIELDS = ["data", "seed", "points", "classes", "noise", "val", "hidden", "optimizer",
    "lr", "batch", "maxgrad", "precision"];
  function controlsToFragment() {
    const p = new URLSearchParams(fragment);
    for (const f of FIELDS) {
      const v = $(f).value.trim();
      if (f === "maxgrad" && v === "") p.delete(f); else p.set(f, v);
    }
    p.delete("run");
    return p.toString();
  }
  function fragmentToControls(frag) {
    // The module's own fragment lists what differs from the defaults; the controls show all.
    const p = new URLSearchParams(frag);
    const d = { data: "spiral", seed: "1984", points: "100", classes: "3", noise: "", val: "0",
      hidden: "10", optimizer: "sgd", lr: "", batch: "30", maxgrad: "", precision: "f64" };
    for (const f of FIELDS) $(f).value = p.has(f) ? p.get(f) : d[f];
    if (!p.has("lr") && status) $("lr").value = status.lr;
    if (!p.has("noise")) $("noise").value = ({ spiral: 0.2, moons: 0.1, circles: 0.1, xor: 0.05, blobs: 0.25, csv: 0.2 })[$("data").value];
    $("noise-value").textContent = $("noise").value;
    $("val-value").textContent = $("val").value;
  }

  // --- the run ---------------------------------------------------------------------------------
  function start(frag) {
    pause();
    let run = 0;
    try {
      fragment = text(withBytes(new TextEncoder().encode(frag), (p, n) => call("pg_start", p, n)));
      run = Number(new URLSearchParams(frag).get("run") || 0);
      // The address keeps what differs from the book's run, in the module's own words.
      if (location.hash.slice(1) !== fragment) history_replace(fragment);
      say("");
    } catch (e) {
      say(e.message + " — showing the book's run instead.");
      fragment = text(withBytes(new Uint8Array(0), (p, n) => call("pg_start", p, n)));
    }
    history = { records: [], metrics: [] };
    known = { records: 0, metrics: 0 };
    status = json("pg_status");
    points = json("pg_points");
    fragmentToControls(fragment);
    if (run > 0) {
      for (let e = 0; e < run; e++) status = json("pg_step_epoch");
    }
    draw(true);
  }
  function restartFromControls() {
    const frag = controlsToFragment();
    if ("#" + frag !== location.hash) history_replace(frag);
    start(frag);
  }
  function history_replace(frag) { window.history.replaceState(null, "", "#" + frag); }

  function train(n) {
    try {
      status = n === "epoch" ? json("pg_step_epoch") : json("pg_step", n);
      stepsSince += n === "epoch" ? status.max_iters : n;
    } catch (e) {
      say(e.message);
      pause();
    }
  }

  function loop() {
    if (!playing) return;
    const speed = $("speed").value;
    if (speed === "max") {
      const t0 = performance.now();
      do train(status.max_iters); while (playing && performance.now() - t0 < 12);
    } else {
      train(speed === "epoch" ? "epoch" : Number(speed));
    }
    draw(false);
    requestAnimationFrame(loop);
  }
  function play() { if (!playing) { playing = true; requestAnimationFrame(loop); } }
  function pause() {
    if (playing && pg) { playing = false; draw(true); }
    playing = false;
  }

  // --- views -----------------------------------------------------------------------------------
  function fmt(v, d) { return v === null || v === undefined ? "–" : Number(v).toFixed(d); }
  function draw(all) {
    frames++;
    totalFrames++;
    const s = status;
    $("epoch").textContent = s.epoch;
    $("steps").textContent = s.steps;
    $("loss").textContent = fmt(s.loss, 4);
    $("accuracy").textContent = fmt(s.train_accuracy, 3);
    $("val-readout").hidden = s.val_accuracy === null;
    $("val-loss").textContent = fmt(s.val_loss, 4);
    $("val-accuracy").textContent = fmt(s.val_accuracy, 3);
    $("grad-norm").textContent = fmt(s.grad_norm, 3);
    $("clipped").textContent = s.clipped;
    const now = performance.now();
    if (!playing) {
      // A rate is only news while training runs: a stopped page shows none.
      $("rate").textContent = "";
      stepsSince = 0; frames = 0; since = now;
    } else if (now - since > 1000) {
      $("rate").textContent = "· " + Math.round(stepsSince * 1000 / (now - since)) + " steps/s, " +
        Math.round(frames * 1000 / (now - since)) + " frames/s";
      stepsSince = 0; frames = 0; since = now;
    }
    drawBoundary();
    fetchHistory();
    drawChart();
    // The small views every few frames while playing: the boundary and the numbers every frame.
    if (all || !playing || totalFrames % 4 === 0) drawUnits();
    if (all || !playing || totalFrames % 15 === 0) $("export-command").textContent = text(call("pg_export", 0));
  }
  function toPixel(cv) {
    const [x0, x1, y0, y1] = status.plane;
    return (x, y) => [(x - x0) / (x1 - x0) * cv.width, (y1 - y) / (y1 - y0) * cv.height];
  }
  const GRID = 120;
  const scratch = document.createElement("canvas");
  scratch.width = GRID; scratch.height = GRID;
  function drawBoundary() {
    const cv = $("boundary"), g = cv.getContext("2d");
    const px = out(call("pg_boundary", GRID, GRID));
    scratch.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(px.buffer), GRID, GRID), 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(scratch, 0, 0, cv.width, cv.height);
    const at = toPixel(cv), pal = points.palette;
    for (let i = 0; i < points.x.length; i++) {
      const [x, y] = at(points.x[i], points.y[i]);
      const c = pal[points.label[i] % pal.length];
      g.beginPath();
      g.arc(x, y, 3.2, 0, 2 * Math.PI);
      g.lineWidth = 1.2;
      if (points.held[i]) {
        g.strokeStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        g.fillStyle = "white"; g.fill(); g.stroke();
      } else {
        g.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        g.strokeStyle = "rgba(255,255,255,0.8)"; g.fill(); g.stroke();
      }
    }
  }
  function fetchHistory() {
    if (status.records === known.records && status.metrics === known.metrics) return;
    const h = json("pg_history", known.records, known.metrics);
    history.records.push(...h.records);
    history.metrics.push(...h.metrics);
    known = { records: history.records.length, metrics: history.metrics.length };
  }
  function drawChart() {
    const cv = $("chart"), g = cv.getContext("2d");
    const W = cv.width, H = cv.height, L = 44, R = 40, T = 22, B = 26;
    g.clearRect(0, 0, W, H);
    const per = Math.max(status.max_iters, 1);
    const epochs = Math.max(1, status.steps / per);
    const r = history.records, m = history.metrics;
    const top = Math.max(1e-9, ...r.map((p) => p[1]), ...m.map((p) => p[2] || 0));
    const X = (it) => L + (W - L - R) * Math.min(1, it / per / epochs);
    const Yl = (v) => T + (H - T - B) * (1 - v / top);
    const Ya = (v) => T + (H - T - B) * (1 - v);
    g.strokeStyle = "#999"; g.lineWidth = 1; g.strokeRect(L, T, W - L - R, H - T - B);
    g.fillStyle = "#333"; g.font = "11px sans-serif";
    for (let k = 0; k <= 4; k++) {
      const v = top * k / 4, y = Yl(v);
      g.fillText(v.toFixed(2), 4, y + 4);
      g.fillText((k / 4).toFixed(2), W - R + 4, Ya(k / 4) + 4);
    }
    g.fillText("0", L, H - 8);
    g.fillText("epoch " + epochs.toFixed(1), W - R - 70, H - 8);
    g.fillText("loss", 4, H - 8);
    g.fillText("accuracy", W - R - 20, 12);
    const line = (pts, x, y, color, dash) => {
      if (!pts.length) return;
      g.strokeStyle = color; g.lineWidth = 1.5; g.setLineDash(dash);
      g.beginPath();
      pts.forEach((p, i) => { const xx = X(p[0]), yy = y(p); if (i) g.lineTo(xx, yy); else g.moveTo(xx, yy); });
      g.stroke(); g.setLineDash([]);
    };
    line(r, X, (p) => Yl(p[1]), "#1f77b4", []);
    line(m.filter((p) => p[2] !== null), X, (p) => Yl(p[2]), "#ff7f0e", []);
    line(m, X, (p) => Ya(p[1]), "#1f77b4", [5, 3]);
    line(m.filter((p) => p[3] !== null), X, (p) => Ya(p[3]), "#ff7f0e", [5, 3]);
  }
  const UNIT = 48, MAX_UNITS = 64;
  function drawUnits() {
    const info = json("pg_units_info", MAX_UNITS);
    const px = out(call("pg_units", UNIT, MAX_UNITS));
    const box = $("units");
    while (box.children.length > info.length) box.removeChild(box.lastChild);
    while (box.children.length < info.length) {
      const f = document.createElement("figure"), c = document.createElement("canvas");
      c.width = UNIT; c.height = UNIT;
      f.appendChild(c); f.appendChild(document.createElement("figcaption"));
      box.appendChild(f);
    }
    info.forEach(([cls, w], j) => {
      const fig = box.children[j];
      const tile = new Uint8ClampedArray(px.buffer, j * UNIT * UNIT * 4, UNIT * UNIT * 4);
      fig.firstChild.getContext("2d").putImageData(new ImageData(tile, UNIT, UNIT), 0, 0);
      fig.lastChild.textContent = `h${j} ${w < 0 ? "↓" : "↑"} class ${cls} (${w < 0 ? "−" : "+"}${Math.abs(w).toFixed(Math.abs(w) < 0.095 ? 2 : 1)})`;
    });
  }

  // --- exports, files --------------------------------------------------------------------------
  function download(name, bytes, type) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes], { type }));
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  function loadCsv(bytes) {
    try {
      const n = text(withBytes(bytes, (p, len) => call("pg_csv", p, len)));
      $("data").value = "csv";
      restartFromControls();
      say(`${n} points read from the file.`);
    } catch (e) {
      say(e.message);   // a bad file changes nothing: the run goes on as it was
    }
  }

  // --- wiring ----------------------------------------------------------------------------------
  function wire() {
    for (const f of FIELDS) $(f).addEventListener("change", () => {
      if (f === "optimizer" || f === "data") {
        // Their defaults follow the choice: the optimizer's learning rate, the data's noise.
        const p = new URLSearchParams(controlsToFragment());
        p.delete(f === "optimizer" ? "lr" : "noise");
        history_replace(p.toString());
        start(p.toString());
        return;
      }
      restartFromControls();
    });
    $("noise").addEventListener("input", () => { $("noise-value").textContent = $("noise").value; });
    $("val").addEventListener("input", () => { $("val-value").textContent = $("val").value; });
    $("play").addEventListener("click", play);
    $("pause").addEventListener("click", pause);
    $("step").addEventListener("click", () => { pause(); train(1); draw(true); });
    $("step-epoch").addEventListener("click", () => { pause(); train("epoch"); draw(true); });
    $("reset").addEventListener("click", () => start(fragment));
    $("copy").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("export-command").textContent));
    $("get-model").addEventListener("click", () => download("model.safetensors", out(call("pg_export", 3)), "application/octet-stream"));
    $("get-data").addEventListener("click", () => download("playground-data.csv", out(call("pg_export", 1)), "text/csv"));
    $("get-python").addEventListener("click", () => download("playground.py", out(call("pg_export", 2)), "text/x-python"));
    $("file").addEventListener("change", async () => {
      const f = $("file").files[0];
      if (f) loadCsv(new Uint8Array(await f.arrayBuffer()));
    });
    document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dragging"); });
    document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
    document.addEventListener("drop", async (e) => {
      e.preventDefault();
      document.body.classList.remove("dragging");
      const f = e.dataTransfer.files[0];
      if (f) loadCsv(new Uint8Array(await f.arrayBuffer()));
    });
    window.addEventListener("hashchange", () => start(location.hash.slice(1)));
  }

  // Hooks for tests and users' scripts: the state as numbers, and a way to drop a CSV text.
  window.dlfs2 = {
    status: () => status,
    losses: () => { fetchHistory(); return history.records.map((r) => r[1]); },
    dropCsv: (text) => loadCsv(new TextEncoder().encode(text)),
    exportModel: () => Array.from(out(call("pg_export", 3))),
    exportText: (kind) => text(call("pg_export", kind)),
    frameCount: () => totalFrames,
    // Milliseconds the module takes for `epochs` more epochs, drawing nothing.
    bench: (epochs) => {
      const t = performance.now();
      for (let e = 0; e < epochs; e++) status = json("pg_step_epoch");
      return performance.now() - t;
    },
  };

  const t0 = performance.now();
  WebAssembly.instantiate(decode(WASM), {}).then(({ instance }) => {
    pg = instance.exports;
    wire();
    start(location.hash.slice(1));
    document.body.dataset.ready = "true";
    document.body.dataset.firstFrameMs = String(Math.round(performance.now() - t0));
  }).catch((e) => say("the module could not start: " + e.message));
})();
