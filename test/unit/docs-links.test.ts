import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/dist';

// The README and the guides point at each other, at files and at `npm run` scripts; a page moved,
// a heading renamed or a script removed must fail here rather than leave a reader at a dead end.
const pages = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(path.join(ROOT, page), 'utf8');
/** The prose of a page: fenced code blocks and inline code spans hold no links. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function relativeLinks(page: string): string[] {
  return [...prose(read(page)).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('the documentation', () => {
  it('finds the pages', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/operations.md', 'docs/configuration.md', 'docs/sandbox.md']));
  });

  it.each(pages)('%s: every relative link and #anchor resolves', (page) => {
    const broken: string[] = [];
    for (const link of relativeLinks(page)) {
      const [file, anchor] = link.split('#');
      const target = file ? path.normalize(path.join(path.dirname(page), decodeURIComponent(file))) : page;
      if (!existsSync(path.join(ROOT, target))) broken.push(`${link} (no ${target})`);
      else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(read(target)).has(anchor))
        broken.push(`${link} (no heading #${anchor} in ${target})`);
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s: every `npm run` it names is a script of package.json', (page) => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = [...read(page).matchAll(/npm run (?:--silent |-s )?([a-z](?:[\w:-]*\w)?)/g)].map((m) => m[1]);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    const anchors = anchorsOf('# Error codes (`errors[].extensions.code`)\n## Keeping connections alive (the lifecycle worker)\n## Price\n### Price\n');
    expect([...anchors]).toEqual(['error-codes-errorsextensionscode', 'keeping-connections-alive-the-lifecycle-worker', 'price', 'price-1']);
  });
});
