// A small Markdown renderer for study reports: headings, paragraphs, lists, tables, code,
// emphasis, links and images (relative ones resolved against the report's folder).
'use strict';
const Markdown = (() => {
  const escape = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

  function safeUrl(url, base) {
    const u = url.trim();
    if (/^https?:\/\//i.test(u)) return u;
    if (/^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith('//')) return '#';
    if (u.startsWith('/')) return u;
    return base + u.split('/').map(encodeURIComponent).join('/');
  }

  function inline(text, base) {
    let s = escape(text);
    s = s.replace(/`([^`]+)`/g, '<code>$1</code>');
    s = s.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (m, alt, url) => `<img alt="${alt}" src="${escape(safeUrl(url, base))}">`);
    s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, t, url) => `<a href="${escape(safeUrl(url, base))}">${t}</a>`);
    s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/\*([^*]+)\*/g, '<em>$1</em>');
    return s;
  }

  /** Markdown text → HTML; base: the folder URL of the report, ending with '/'. */
  function render(text, base) {
    const lines = text.replace(/\r/g, '').split('\n');
    const out = [];
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^```/.test(line)) {
        const code = [];
        i++;
        while (i < lines.length && !/^```/.test(lines[i])) code.push(lines[i++]);
        i++;
        out.push('<pre><code>' + escape(code.join('\n')) + '</code></pre>');
      } else if (/^#{1,6}\s/.test(line)) {
        const level = line.match(/^#+/)[0].length;
        out.push(`<h${level}>${inline(line.replace(/^#+\s*/, ''), base)}</h${level}>`);
        i++;
      } else if (/^\s*\|/.test(line)) {
        const rows = [];
        while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(lines[i++]);
        const cells = r => r.trim().replace(/^\||\|$/g, '').split('|').map(c => c.trim());
        let html = '<table>';
        rows.forEach((r, k) => {
          if (k === 1 && /^[\s|:-]+$/.test(r)) return;
          const tag = k === 0 ? 'th' : 'td';
          html += '<tr>' + cells(r).map(c => `<${tag}>${inline(c, base)}</${tag}>`).join('') + '</tr>';
        });
        out.push(html + '</table>');
      } else if (/^\s*([-*]|\d+\.)\s/.test(line)) {
        const ordered = /^\s*\d+\./.test(line);
        const items = [];
        while (i < lines.length && /^\s*([-*]|\d+\.)\s/.test(lines[i])) items.push(lines[i++].replace(/^\s*([-*]|\d+\.)\s/, ''));
        const tag = ordered ? 'ol' : 'ul';
        out.push(`<${tag}>` + items.map(t => `<li>${inline(t, base)}</li>`).join('') + `</${tag}>`);
      } else if (line.trim() === '') {
        i++;
      } else {
        const para = [];
        while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|```|\s*\||\s*([-*]|\d+\.)\s)/.test(lines[i])) para.push(lines[i++]);
        out.push('<p>' + inline(para.join(' '), base) + '</p>');
      }
    }
    return out.join('\n');
  }

  return { render };
})();
