// SPDX-License-Identifier: GPL-2.0
// The --pprof export as Datadog's pprof-format decodes it: sample types, samples, stacks with
// inline frames, labels, mappings. The fixture is tests/unit/test_exporters.c's.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { Profile } = require('pprof-format');
const { exportPath } = require('./lib.js');

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const PROG = '/usr/bin/prog';
const gz = fs.readFileSync(exportPath('allocfail.pb.gz'));

test('the file is gzip-compressed', () => {
	assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
});

const prof = Profile.decode(zlib.gunzipSync(gz));
const str = i => prof.stringTable.strings[Number(i)];
const byId = (list, id) => list.find(x => Number(x.id) === Number(id));

// A location as text: its functions innermost first, or its address when it has none.
function frame(id) {
	const loc = byId(prof.location, id);

	if (!loc.line.length) {
		const map = byId(prof.mapping, loc.mappingId);

		return `0x${Number(loc.address).toString(16)} in ${str(map.filename)}`;
	}
	return loc.line.map(l => {
		const f = byId(prof.function, l.functionId);

		return `${str(f.name)}@${str(f.filename)}:${Number(l.line)}`;
	}).join(' | ');
}

function readable(s) {
	const labels = {};

	for (const l of s.label)
		labels[str(l.key)] = Number(l.str) ? str(l.str) : Number(l.num);
	return { stack: s.locationId.map(frame), values: s.value.map(Number), labels };
}

test('sample types: failures (count), requested (bytes); failures shown first', () => {
	assert.deepEqual(prof.sampleType.map(t => [str(t.type), str(t.unit)]),
			 [['failures', 'count'], ['requested', 'bytes']]);
	assert.equal(str(prof.defaultSampleType), 'failures');
	assert.equal(str(prof.stringTable.strings[0]), '');
	assert.equal(BigInt(prof.timeNanos), 1700000000n * 1000000000n);
	assert.equal(Number(prof.durationNanos), 2e9);
});

test('samples: stacks leaf first, values, labels', () => {
	const got = prof.sample.map(readable).sort((a, b) =>
		a.labels.type.localeCompare(b.labels.type) || b.values[0] - a.values[0]);
	const prog = { pid: 100, comm: 'prog', cgroup: '/test' };

	assert.deepEqual(got, [
		{
			stack: ['__alloc_pages@:0', 'handle_mm_fault@:0', 'exc_page_fault@:0',
				`0x7f0000002000 in ${LIBC}`, 'main@prog.c:31'],
			values: [1, 0],
			labels: { type: 'page_alloc', cause: 'none', ...prog },
		},
		{
			stack: ['kmalloc<&>"\' x;y\ufffd@:0'],
			values: [3, 96],
			// no cgroup
			labels: { type: 'slab', cause: 'none', pid: 7, comm: 'we;ird name' },
		},
		{
			stack: ['do_mmap@:0', 'vm_mmap_pgoff@:0', 'entry_SYSCALL_64@:0',
				'__mmap64@:0', 'alloc_buf@prog.c:12 | do_alloc@prog.c:20',
				'main@prog.c:30'],
			values: [2, 12288],
			labels: { type: 'syscall', cause: 'rlimit_as', ...prog },
		},
		{
			stack: ['main0@prog.c:40'],
			values: [1, 64],
			labels: { type: 'syscall', cause: 'none', pid: 100, comm: 'prog' },
		},
	]);
});

test('mappings: the kernel and each object once, flags as resolved', () => {
	const maps = Object.fromEntries(prof.mapping.map(m => [str(m.filename), m]));

	assert.deepEqual(Object.keys(maps).sort(), ['/usr/bin/prog', LIBC, '[kernel]'].sort());
	assert.equal(maps[PROG].hasInlineFrames, true);
	assert.equal(maps[PROG].hasLineNumbers, true);
	assert.equal(maps['[kernel]'].hasFunctions, true);
	assert.equal(maps['[kernel]'].hasInlineFrames, false);
});

test('functions: deduplicated by name and file', () => {
	const names = prof.function.map(f => `${str(f.name)}@${str(f.filename)}`);

	assert.equal(new Set(names).size, names.length);
	assert.equal(names.filter(n => n === 'main@prog.c').length, 1);
});
