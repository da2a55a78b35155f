// A PNG reader for tests: the pixels of a screenshot (tests/map-svg.test.ts). Only what Chromium's
// `--screenshot` writes: 8 bits per channel, RGB or RGBA, not interlaced.
import fs from "node:fs";
import zlib from "node:zlib";

export interface Pixels {
  width: number;
  height: number;
  /** 4 bytes a pixel, R G B A, row after row. */
  rgba: Buffer;
}

/** The value of a PNG filter's predictor (PNG spec §9.2): a left, b up, c up-left. */
function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >> 1;
    case 4: {
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default: throw new Error(`PNG filter type ${filter}`);
  }
}

export function readPng(file: string): Pixels {
  const png = fs.readFileSync(file);
  if (png.toString("latin1", 1, 4) !== "PNG") throw new Error(`${file}: not a PNG file`);
  let width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0 || (data[9] !== 2 && data[9] !== 6)) throw new Error(`${file}: not an 8-bit, non-interlaced RGB or RGBA PNG`);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === "IDAT") {
      idat.push(data);
    }
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rgba = Buffer.alloc(width * height * 4);
  let up = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0, upLeft = i >= channels ? up[i - channels] : 0;
      line[i] = (line[i] + predict(filter, left, up[i], upLeft)) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      line.copy(rgba, o, x * channels, x * channels + 3);
      rgba[o + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    up = line;
  }
  return { width, height, rgba };
}

/** How many pixels have each colour, keyed `#rrggbb` (alpha left out). */
export function colourCounts(p: Pixels): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < p.rgba.length; i += 4) {
    const key = "#" + p.rgba.subarray(i, i + 3).toString("hex");
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
