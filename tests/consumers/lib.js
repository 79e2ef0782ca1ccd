// SPDX-License-Identifier: GPL-2.0
// Shared by the consumer tests: where the exports are, headless Chromium, a PNG reader.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

// run.sh writes the fixture's exports (tests/unit/test_exporters.c) here.
function exportPath(name) {
	const dir = process.env.AF_EXPORTS;

	if (!dir)
		throw new Error('AF_EXPORTS is not set: run tests/consumers/run.sh');
	return path.join(dir, name);
}

// Runs headless Chromium on url with extra flags, in a throwaway profile; {stdout, stderr}.
function chromium(url, flags) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'af-chromium-'));
	const args = [
		// no network here: nothing may try to reach out
		'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--no-first-run',
		`--user-data-dir=${profile}`, ...flags, url,
	];

	try {
		const r = spawnSync(process.env.CHROMIUM || 'chromium', args,
				    { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });

		if (r.error)
			throw r.error;
		if (r.status !== 0)
			throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
		return { stdout: r.stdout, stderr: r.stderr };
	} finally {
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

function decodeEntities(s) {
	return s.replace(/&(lt|gt|amp|quot|apos|#39|nbsp);/g, (m, e) => ({
		lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'', '#39': '\'', nbsp: '\u00a0',
	})[e]);
}

function paeth(a, b, c) {
	const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Enough of PNG for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced.
function decodePng(buf) {
	const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const idat = [];
	let width, height, bpp;

	if (!buf.subarray(0, 8).equals(sig))
		throw new Error('not a PNG');
	for (let off = 8; off < buf.length;) {
		const len = buf.readUInt32BE(off), type = buf.toString('latin1', off + 4, off + 8);
		const data = buf.subarray(off + 8, off + 8 + len);

		if (type === 'IHDR') {
			width = data.readUInt32BE(0);
			height = data.readUInt32BE(4);
			if (data[8] !== 8 || (data[9] !== 2 && data[9] !== 6) || data[12] !== 0)
				throw new Error(`PNG depth ${data[8]}, color ${data[9]}`);
			bpp = data[9] === 6 ? 4 : 3;
		} else if (type === 'IDAT') {
			idat.push(data);
		}
		off += 12 + len;
	}
	const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * bpp;
	const px = Buffer.alloc(height * stride);

	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;

		for (let x = 0; x < stride; x++) {
			const a = x >= bpp ? px[dst + x - bpp] : 0;
			const b = y ? px[dst - stride + x] : 0;
			const c = x >= bpp && y ? px[dst - stride + x - bpp] : 0;
			const v = raw[src + x];
			const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];

			px[dst + x] = (v + pred) & 0xff;
		}
	}
	return {
		width, height,
		rgb: (x, y) => [...px.subarray(y * stride + x * bpp, y * stride + x * bpp + 3)],
	};
}

module.exports = { exportPath, chromium, decodeEntities, decodePng };
