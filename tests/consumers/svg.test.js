// SPDX-License-Identifier: GPL-2.0
// The --svg export in headless Chromium: it renders with every frame in the DOM, its script
// runs (search and zoom from the URL fragment), the screenshot has the frames' colors where
// the file puts them, and OCR (tesseract) reads known frame names off the screenshot.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { exportPath, chromium, decodeEntities, decodePng } = require('./lib.js');

const file = exportPath('allocfail.svg');
const url = `file://${file}`;
const svg = fs.readFileSync(file, 'utf8');
const HIGHLIGHT = [230, 0, 230];

// The frames the file draws: { name, cls, x, y, width, height, fill }, in document order.
function frames(text) {
	const re = new RegExp('<g class="f ([^"]*)"[^>]*data-n="([^"]*)"[^>]*>.*?' +
		'<rect x="([\\d.]+)" y="(\\d+)" width="([\\d.]+)" height="(\\d+)" ' +
		'fill="rgb\\((\\d+),(\\d+),(\\d+)\\)"', 'g');

	return [...text.matchAll(re)].map(m => ({
		cls: m[1], name: decodeEntities(m[2]), x: +m[3], y: +m[4], width: +m[5],
		height: +m[6], fill: [+m[7], +m[8], +m[9]],
	}));
}

function frame(name) {
	const f = frames(svg).find(f => f.name === name);

	assert.ok(f, `no frame ${name} in the file`);
	return f;
}

// The <g> start tag of the named frame in a DOM dump.
function tagOf(dom, name) {
	const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const m = dom.match(new RegExp(`<g [^>]*data-n="${quoted}"[^>]*>`));

	assert.ok(m, `no frame ${name} in the DOM`);
	return m[0];
}

function screenshot(hash, scale) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-svg-'));
	const png = path.join(dir, 'shot.png');

	chromium(url + hash, ['--window-size=1200,260', `--force-device-scale-factor=${scale}`,
			      `--screenshot=${png}`]);
	if (process.env.AF_SCREENSHOT_DIR)
		fs.copyFileSync(png, path.join(process.env.AF_SCREENSHOT_DIR, `svg-x${scale}.png`));
	return { dir, png };
}

test('self-contained: no external resource', () => {
	assert.doesNotMatch(svg, /href|@import|url\(/);
	const count = re => (svg.match(re) || []).length;

	assert.equal(count(/http/g), count(/http:\/\/www\.w3\.org\//g));
});

test('Chromium renders it with every frame in the DOM', () => {
	const dom = chromium(url, ['--dump-dom']).stdout;
	const want = frames(svg).map(f => f.name);

	assert.match(dom, /^<svg /);
	assert.equal(want.length, 21);
	assert.deepEqual(frames(dom).map(f => f.name), want);
	for (const name of ['do_mmap', 'alloc_buf', '__mmap64', 'main0', '[page_alloc]'])
		assert.ok(want.includes(name), name);
});

test('its script runs: search and zoom from the URL fragment', () => {
	const dom = chromium(`${url}#search=mmap&zoom=do_alloc`, ['--dump-dom']).stdout;
	const zoomed = frames(dom).find(f => f.name === 'do_alloc');

	assert.match(dom, /id="matched"[^>]*>Matched: 28\.57%</);
	for (const name of ['do_mmap', 'vm_mmap_pgoff', '__mmap64'])
		assert.match(tagOf(dom, name), /class="f [a-z]+ m"/);
	assert.doesNotMatch(tagOf(dom, 'alloc_buf'), / m"/);
	// zoomed: do_alloc spans the width, its ancestors fade, the rest is hidden
	assert.equal(zoomed.width, 1180);
	assert.match(tagOf(dom, 'prog'), /class="f proc a"/);
	assert.match(tagOf(dom, 'main0'), /display: none/);
	assert.match(dom, /id="reset"[^>]*style=""/);
});

test('the screenshot has each frame\'s color in its place, the match highlighted', () => {
	const { dir, png } = screenshot('#search=^do_mmap$', 1);
	const img = decodePng(fs.readFileSync(png));
	// a pixel inside the frame above its text
	const at = f => img.rgb(Math.floor(f.x + f.width / 2), f.y + 1);

	fs.rmSync(dir, { recursive: true, force: true });
	assert.deepEqual(at(frame('[slab]')), frame('[slab]').fill);
	assert.deepEqual(at(frame('entry_SYSCALL_64')), frame('entry_SYSCALL_64').fill);
	assert.deepEqual(at(frame('do_mmap')), HIGHLIGHT);
});

const tesseract = spawnSync('tesseract', ['--version']).status === 0;

test('the screenshot shows frame names (OCR)', {
	skip: !tesseract && 'tesseract not installed',
}, () => {
	const { dir, png } = screenshot('', 3);
	const r = spawnSync('tesseract', [png, '-', '--psm', '11'], { encoding: 'utf8' });

	fs.rmSync(dir, { recursive: true, force: true });
	assert.equal(r.status, 0, r.stderr);
	// names on the light frames, which OCR reads reliably
	for (const name of ['[syscall]', '[slab]', '[truncated]', '[libc.so.6]', 'prog'])
		assert.ok(r.stdout.includes(name), `"${name}" not read in: ${r.stdout}`);
});
