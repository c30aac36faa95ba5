// A small Markdown renderer for answers: fenced and inline code, headings, lists, bold, italics,
// links and paragraphs. Every character of the text is HTML-escaped first, so an answer can never
// inject markup; only the tags added here are HTML.
function escape(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inline(text) {
  return text
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" rel="noopener noreferrer" target="_blank">$1</a>');
}

/** HTML for `markdown`; an unterminated code fence (an answer still streaming) is shown as code. */
export function render(markdown) {
  const out = [];
  const parts = escape(markdown).split(/^```[^\n]*$/m);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      out.push('<pre><code>' + part.replace(/^\n/, '').replace(/\n$/, '') + '</code></pre>');
      return;
    }
    for (const block of part.split(/\n{2,}/)) {
      const lines = block.split('\n').filter(line => line.trim() !== '');
      if (!lines.length) continue;
      const heading = /^(#{1,6})\s+(.*)$/.exec(lines[0]);
      if (heading && lines.length === 1) {
        const level = Math.min(6, heading[1].length + 2);
        out.push('<h' + level + '>' + inline(heading[2]) + '</h' + level + '>');
      } else if (lines.every(line => /^\s*[-*+]\s+/.test(line))) {
        out.push('<ul>' + lines.map(line => '<li>' + inline(line.replace(/^\s*[-*+]\s+/, '')) + '</li>').join('') + '</ul>');
      } else if (lines.every(line => /^\s*\d+[.)]\s+/.test(line))) {
        out.push('<ol>' + lines.map(line => '<li>' + inline(line.replace(/^\s*\d+[.)]\s+/, '')) + '</li>').join('') + '</ol>');
      } else {
        out.push('<p>' + lines.map(inline).join('<br>') + '</p>');
      }
    }
  });
  return out.join('');
}
