/**
 * Reading the files of a zone directory that may come from a pull request, so may hold
 * anything: only regular files directly inside the directory are read, never through a link,
 * never a FIFO or a device (which could block or stream forever), and never more than
 * {@link MAX_ZONE_FILE_BYTES}. What is refused is named, never quoted.
 */
import { constants } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { ZoneFileError } from './zone-file.js'

/** The suffix of the files read as zones. */
export const ZONE_SUFFIX = '.zone'

/** The largest zone file read: far above a sending domain's zone, below what fits in memory. */
export const MAX_ZONE_FILE_BYTES = 256 * 1024 * 1024

/** One zone file, with the zone name its file name gives. */
export interface ZoneFileText {
  /** The path as messages show it: the directory joined with the file name. */
  file: string
  /** The file name without `.zone`, as written (not yet normalised). */
  zone: string
  /**
   * Its text, in pieces that end at a line end (unless a line is longer than
   * {@link MAX_PIECE_BYTES}); read while the file is the current one of {@link readZoneDir}.
   */
  chunks: AsyncIterable<string>
}

/** How much of a file is read at a time. */
const READ_BYTES = 1 << 20
/**
 * A piece is cut at its last line end, so no character is split between two pieces; a line
 * longer than this is cut anyway (the lexer refuses it, whatever its end holds).
 */
export const MAX_PIECE_BYTES = 4 * READ_BYTES

/** Options for {@link readZoneDir}. */
export interface ReadZoneDirOptions {
  /** Default {@link MAX_ZONE_FILE_BYTES}. */
  maxFileBytes?: number
}

/**
 * The `*.zone` files of `dir` (not hidden ones, not subdirectories), in name order, one at a
 * time, each open until the next is asked for and read piece by piece, so no file's whole text
 * is held.
 * @throws ZoneFileError naming the directory, or the file that is a link, not a regular file,
 *   outside the directory, unreadable or too big.
 */
export async function* readZoneDir(
  dir: string,
  options: ReadZoneDirOptions = {}
): AsyncGenerator<ZoneFileText> {
  const maxBytes = options.maxFileBytes ?? MAX_ZONE_FILE_BYTES
  let realDir: string
  let names: string[]
  try {
    realDir = await fs.realpath(dir)
    names = await fs.readdir(realDir)
  } catch (error) {
    throw new ZoneFileError(dir, 0, `cannot read the zone directory: ${messageOf(error)}`)
  }
  names = names.filter((e) => e.endsWith(ZONE_SUFFIX) && !e.startsWith('.')).sort()
  for (const name of names) {
    const file = path.join(dir, name)
    const real = path.join(realDir, name)
    let stat
    try {
      stat = await fs.lstat(real)
    } catch (error) {
      throw new ZoneFileError(file, 0, `cannot read the zone file: ${messageOf(error)}`)
    }
    if (stat.isDirectory()) continue
    if (stat.isSymbolicLink()) {
      throw new ZoneFileError(
        file,
        0,
        'is a symbolic link; only regular files inside the zone directory are read'
      )
    }
    if (!stat.isFile()) {
      throw new ZoneFileError(
        file,
        0,
        `is ${kindOf(stat)}, not a regular file; only regular files are read`
      )
    }
    const handle = await openRegularFile(file, real, realDir, maxBytes)
    try {
      const chunks = readPieces(handle, file, maxBytes)
      yield { file, zone: name.slice(0, -ZONE_SUFFIX.length), chunks }
    } finally {
      await handle.close()
    }
  }
}

/** Opens a file checked by lstat, again refusing anything else at open (it may have changed). */
async function openRegularFile(
  file: string,
  real: string,
  realDir: string,
  maxBytes: number
): Promise<fs.FileHandle> {
  let handle: fs.FileHandle | undefined
  try {
    if (path.dirname(await fs.realpath(real)) !== realDir) {
      throw new ZoneFileError(file, 0, 'leads outside the zone directory; it is not read')
    }
    // O_NOFOLLOW: a link swapped in since lstat fails here; O_NONBLOCK: a FIFO cannot hang us.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    handle = await fs.open(real, flags)
    const stat = await handle.stat()
    if (!stat.isFile()) throw new ZoneFileError(file, 0, 'is not a regular file; it is not read')
    if (stat.size > maxBytes) throw tooBig(file, stat.size, maxBytes)
    return handle
  } catch (error) {
    await handle?.close()
    throw readError(file, error)
  }
}

/**
 * The file's text in pieces cut after a line end: UTF-8 never has a newline byte inside a
 * character, so the pieces decode to exactly the text the whole file decodes to.
 */
async function* readPieces(
  handle: fs.FileHandle,
  file: string,
  maxBytes: number
): AsyncGenerator<string> {
  const buffer = Buffer.alloc(READ_BYTES)
  let rest: Buffer | undefined
  let total = 0
  for (;;) {
    let bytesRead: number
    try {
      ;({ bytesRead } = await handle.read(buffer, 0, buffer.length, total))
    } catch (error) {
      throw readError(file, error)
    }
    if (bytesRead === 0) break
    total += bytesRead
    // It may have grown since stat.
    if (total > maxBytes) throw tooBig(file, total, maxBytes)
    const piece = buffer.subarray(0, bytesRead)
    const bytes = rest ? Buffer.concat([rest, piece]) : piece
    const end = bytes.lastIndexOf(0x0a) + 1
    const cut = end > 0 ? end : bytes.length >= MAX_PIECE_BYTES ? bytes.length : 0
    // What stays is copied: `buffer` is read into again.
    rest = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined
    if (cut > 0) yield bytes.toString('utf8', 0, cut)
  }
  if (rest) yield rest.toString('utf8')
}

function tooBig(file: string, size: number, maxBytes: number): ZoneFileError {
  return new ZoneFileError(
    file,
    0,
    `is ${size} bytes, more than the ${maxBytes} a zone file may have`
  )
}

function readError(file: string, error: unknown): ZoneFileError {
  if (error instanceof ZoneFileError) return error
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ELOOP') {
    return new ZoneFileError(file, 0, 'is a symbolic link; only regular files are read')
  }
  return new ZoneFileError(file, 0, `cannot read the zone file: ${messageOf(error)}`)
}

function kindOf(stat: { isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isFIFO()) return 'a FIFO'
  if (stat.isSocket()) return 'a socket'
  return 'a device'
}

function messageOf(error: unknown): string {
  // By shape, not instanceof: Node's errors may come from another realm (a test VM context).
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : String(error)
}
