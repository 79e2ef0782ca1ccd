// SPDX-License-Identifier: GPL-2.0
// The --folded export loaded into speedscope (npm "speedscope"), in headless Chromium: the
// package ships only its browser build, whose importers are not callable from node. So the
// file is loaded the way speedscope's own command line does (index.html#localProfilePath= a
// script calling speedscope.loadFileFromBase64), in the Sandwich view, whose table lists every
// frame with its total and self weight as speedscope's collapsed-stack importer read them.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { exportPath, chromium, decodeEntities } = require('./lib.js');

const FILE = 'allocfail.folded';
const release = path.join(path.dirname(require.resolve('speedscope/package.json')), 'dist',
			  'release');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'af-speedscope-'));
const loader = path.join(tmp, 'load.js');

fs.writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(FILE)}, ${
	JSON.stringify(fs.readFileSync(exportPath(FILE)).toString('base64'))})`);
// tall window: the table only renders the rows in view
const run = chromium(`file://${release}/index.html#localProfilePath=${loader}&view=sandwich`,
		     ['--window-size=1200,2000', '--virtual-time-budget=10000',
		      '--enable-logging=stderr', '--v=0', '--dump-dom']);
fs.rmSync(tmp, { recursive: true, force: true });

// Sandwich table rows: { name: [total, self] }
function rows(dom) {
	const out = {};

	for (const tr of dom.split(/(?=<tr[ >])/).slice(1)) {
		const cells = tr.replace(/<[^>]*>/g, '\t').split('\t').map(s => s.trim())
			.filter(s => s);

		if (cells.length === 3 && /^\d/.test(cells[0]))
			out[decodeEntities(cells[2])] = cells.slice(0, 2).map(c => parseInt(c, 10));
	}
	return out;
}

test('speedscope takes the file as collapsed stacks', () => {
	assert.match(run.stderr, /Importing as collapsed stack format/);
	assert.match(run.stdout, /<title>allocfail\.folded - speedscope<\/title>/);
});

test('every frame with its total and self weight', () => {
	assert.deepEqual(rows(run.stdout), {
		'prog': [4, 0],
		'[page_alloc]': [1, 0],
		'[truncated]': [1, 0],
		'main': [3, 0],
		'[libc.so.6]': [1, 0],
		'exc_page_fault_[k]': [1, 0],
		'handle_mm_fault_[k]': [1, 0],
		'__alloc_pages_[k]': [1, 1],
		'[syscall]': [3, 0],
		'do_alloc': [2, 0],
		'alloc_buf_[i]': [2, 0],
		'__mmap64': [2, 0],
		'entry_SYSCALL_64_[k]': [2, 0],
		'vm_mmap_pgoff_[k]': [2, 0],
		'do_mmap_[k]': [2, 2],
		'main0': [1, 1],
		'we:ird_name': [3, 0],
		'[slab]': [3, 0],
		// the symbol's invalid UTF-8 byte read as U+FFFD
		'kmalloc<&>"\'_x:y\ufffd_[k]': [3, 3],
	});
});
