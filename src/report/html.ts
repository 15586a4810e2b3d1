/**
 * The reports' HTML pieces: escaping, tables, figures with captions, and the page with its inline style
 * (readable on a laptop, printable). No framework, nothing fetched.
 */
import { thousands } from '../thousands.ts';

export const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const int = thousands;
export const table = (head: string[], rows: Array<Array<string | number>>, cls = '') =>
  `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${typeof c === 'number' ? int(c) : esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
export const figure = (svg: string, caption: string) => `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 980px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; } th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f6f6f6; }
.verdict { font-size: 1.1em; background: #f3f8ff; border-left: 4px solid #3b7dd8; padding: 0.6em 1em; }
.warning { background: #fff7e6; border-left: 4px solid #e8a33d; padding: 0.4em 1em; margin: 0.4em 0; }
figure { margin: 1.2em 0; } figcaption { color: #555; font-size: 0.92em; max-width: 640px; }
#decision { background: #fafafa; border: 1px solid #ddd; padding: 1em; border-radius: 6px; }
#decision label { margin-right: 2em; } #share { width: 320px; vertical-align: middle; }
.muted { color: #666; }
@media print { body { max-width: none; margin: 0; } #decision input, #decision select { display: none; } figure, table { break-inside: avoid; } }
`;


/** The whole page around its sections. */
export function page(heading: string, source: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(heading)}: ${esc(source)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(heading)}</h1>
<p class="muted">${esc(source)} · written by leadscore from its folder's own files</p>
${sections.join('\n')}
</body></html>
`;
}
