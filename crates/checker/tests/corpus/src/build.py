#!/usr/bin/env python3
"""Strips annotations from the corpus sources and writes NAME.txt + NAME.key.toml.
An annotated line ends with ⟦S kind | what⟧ (a slip) or ⟦Q what⟧ (a correct figure
that must stay quiet); a file may start with a line ⟦META key = value⟧."""
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
ann = re.compile(r'\s*⟦([SQ])\s+([^⟧]*)⟧')
for name in sorted(os.listdir(src)):
    if not name.endswith('.src'):
        continue
    lines = open(os.path.join(src, name), encoding='utf-8').read().split('\n')
    meta, text, slips, quiets = [], [], [], []
    for raw in lines:
        if raw.startswith('⟦META '):
            meta.append(raw[6:].rstrip('⟧'))
            continue
        no = len(text) + 1
        for m in ann.finditer(raw):
            if m.group(1) == 'S':
                kind, what = [x.strip() for x in m.group(2).split('|', 1)]
                slips.append((no, kind, what))
            else:
                quiets.append((no, m.group(2).strip()))
        text.append(ann.sub('', raw).rstrip())
    base = name[:-4]
    open(os.path.join(out, base + '.txt'), 'w', encoding='utf-8').write('\n'.join(text).rstrip('\n') + '\n')
    k = []
    for m in meta:
        k.append(m)
    esc = lambda s: s.replace('\\', '\\\\').replace('"', '\\"')
    for (no, kind, what) in slips:
        k.append(f'\n[[slip]]\nline = {no}\nkind = "{kind}"\nwhat = "{esc(what)}"')
    for (no, what) in quiets:
        k.append(f'\n[[quiet]]\nline = {no}\nwhat = "{esc(what)}"')
    open(os.path.join(out, base + '.key.toml'), 'w', encoding='utf-8').write('\n'.join(k).strip() + '\n')
print('ok')
