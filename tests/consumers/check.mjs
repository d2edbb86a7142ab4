// Reads okrs' outputs with their real consumers, for
// tests/integration/safety.rs: Mermaid's own parser (mermaid 11) and a
// CommonMark renderer with GitHub's tables (markdown-it, raw HTML allowed).
// Mermaid needs a DOM (DOMPurify) even to parse, so jsdom gives it one.
//
//   node check.mjs mermaid FILE...   one JSON line per chart: the diagram
//     type, the configuration its text set (directives, front matter), and
//     each node's label as text ("<br>" as "\n") with the HTML elements in it;
//     or the parse error.
//   node check.mjs markdown FILE...  one JSON line per report: every HTML
//     element the rendering holds, and each table row's cells (text, and the
//     elements inside the cell).
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { document } = dom.window;

/** Text and element names of an HTML fragment; `<br>` as a newline. */
function read(html) {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  for (const br of holder.querySelectorAll('br')) br.replaceWith('\n');
  const elements = [...holder.querySelectorAll('*')].map((e) => e.localName);
  return { text: holder.textContent, elements };
}

async function mermaidCharts(files) {
  const { default: mermaid } = await import('mermaid');
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    try {
      const parsed = await mermaid.parse(text);
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      // Mermaid keeps entity codes as placeholders until it draws.
      const labels = [...diagram.db.getVertices().values()].map((v) =>
        read(
          v.text
            .replace(/ﬂ°°/g, '&#')
            .replace(/ﬂ°/g, '&')
            .replace(/¶ß/g, ';'),
        ),
      );
      console.log(
        JSON.stringify({ file, ok: true, type: parsed.diagramType, config: parsed.config ?? {}, labels }),
      );
    } catch (e) {
      console.log(JSON.stringify({ file, ok: false, error: String(e?.message ?? e) }));
    }
  }
}

async function markdownReports(files) {
  const { default: MarkdownIt } = await import('markdown-it');
  const md = new MarkdownIt({ html: true, linkify: false });
  for (const file of files) {
    const html = md.render(readFileSync(file, 'utf8'));
    const holder = document.createElement('div');
    holder.innerHTML = html;
    const elements = [...new Set([...holder.querySelectorAll('*')].map((e) => e.localName))];
    const rows = [...holder.querySelectorAll('tr')].map((tr) =>
      [...tr.children].map((cell) => ({
        text: cell.textContent,
        elements: [...cell.querySelectorAll('*')].map((e) => e.localName),
      })),
    );
    console.log(JSON.stringify({ file, elements, rows, text: holder.textContent }));
  }
}

const [mode, ...files] = process.argv.slice(2);
if (mode === 'mermaid') await mermaidCharts(files);
else if (mode === 'markdown') await markdownReports(files);
else {
  console.error('usage: node check.mjs mermaid|markdown FILE...');
  process.exit(2);
}
