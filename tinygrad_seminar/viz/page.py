"""A self-contained HTML page that plays pictures one at a time: slider, previous / next / play, ``#step=k``.

Everything is inline (the SVG pictures, the style, the script): the page opens from a file with no
network, and shows nothing it has to fetch.
"""

from __future__ import annotations

import html
import re

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { position: sticky; top: 0; background: #f4f4f4; border-bottom: 1px solid #ccc; padding: 8px 12px;
         display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
button { font-size: 14px; padding: 4px 10px; }
#slider { flex: 1; min-width: 200px; }
#status { font-weight: bold; white-space: nowrap; }
.frame { padding: 8px 12px 0; overflow-x: auto; }
body.fit .frame svg { max-width: 100%; height: auto; }  /* "fit width": the whole graph, smaller text */
"""

SCRIPT = """
(function () {
  var frames = document.querySelectorAll('.frame'), n = frames.length, timer = null, current = 0;
  var slider = document.getElementById('slider'), status = document.getElementById('status');
  var play = document.getElementById('play');
  function fromHash() {
    var m = /step=(\\d+)/.exec(window.location.hash);
    return m ? parseInt(m[1], 10) : 1;
  }
  function show(k) {
    k = Math.max(1, Math.min(n, k || 1));
    current = k;
    for (var i = 0; i < n; i++) { frames[i].hidden = (i + 1 !== k); }
    slider.value = k;
    status.textContent = 'step ' + k + ' of ' + n;
    document.body.setAttribute('data-step', String(k));
    var on = frames[k - 1].querySelector('.current');  // the op of this step, which may lie off-screen
    if (on && on.scrollIntoView) { on.scrollIntoView({block: 'nearest', inline: 'center'}); }
    if (window.location.hash !== '#step=' + k) {
      try { history.replaceState(null, '', '#step=' + k); } catch (e) { /* some file:// pages refuse */ }
    }
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = '\\u25B6 play'; } }
  document.getElementById('prev').onclick = function () { stop(); show(current - 1); };
  document.getElementById('next').onclick = function () { stop(); show(current + 1); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  play.onclick = function () {
    if (timer) { stop(); return; }
    if (current >= n) { show(1); }
    play.textContent = '\\u275A\\u275A pause';
    timer = setInterval(function () { if (current >= n) { stop(); } else { show(current + 1); } }, 1200);
  };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight') { stop(); show(current + 1); }
    if (e.key === 'ArrowLeft') { stop(); show(current - 1); }
  });
  document.getElementById('fit').onchange = function (e) { document.body.classList.toggle('fit', e.target.checked); };
  window.addEventListener('hashchange', function () { show(fromHash()); });
  show(fromHash());
})();
"""


def inline_svg(svg: str) -> str:
    """An SVG document as an element to put in HTML: without its XML declaration and doctype."""
    return re.sub(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", "", svg).strip()


def page(title: str, frames: list[tuple[str, str]]) -> str:
    """The HTML of a page playing ``frames``, each (svg text, caption); steps are numbered from 1.

    Each picture carries its caption as its own title; the page keeps it as the frame's ``data-caption``.
    """
    n = len(frames)
    body = "\n".join(
        f'<div class="frame" id="step-{k}" data-caption="{html.escape(caption)}"{"" if k == 1 else " hidden"}>'
        f"{inline_svg(svg)}</div>" for k, (svg, caption) in enumerate(frames, start=1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body data-step="1">
<header>
<button id="prev" title="previous step (left arrow)">&#9664; previous</button>
<button id="play">&#9654; play</button>
<button id="next" title="next step (right arrow)">next &#9654;</button>
<input type="range" id="slider" min="1" max="{n}" value="1" aria-label="step">
<span id="status">step 1 of {n}</span>
<label><input type="checkbox" id="fit"> fit width</label>
</header>
{body}
<script>{SCRIPT}</script>
</body>
</html>
"""
