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

/** One zone file's text, with the zone name its file name gives. */
export interface ZoneFileText {
  /** The path as messages show it: the directory joined with the file name. */
  file: string
  /** The file name without `.zone`, as written (not yet normalised). */
  zone: string
  text: string
}

/** Options for {@link readZoneDir}. */
export interface ReadZoneDirOptions {
  /** Default {@link MAX_ZONE_FILE_BYTES}. */
  maxFileBytes?: number
}

/**
 * The `*.zone` files of `dir` (not hidden ones, not subdirectories), in name order, one at a
 * time so only one file's text is held.
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
    const text = await readRegularFile(file, real, realDir, maxBytes)
    yield { file, zone: name.slice(0, -ZONE_SUFFIX.length), text }
  }
}

/** Reads a file checked by lstat, again refusing anything else at open (it may have changed). */
async function readRegularFile(
  file: string,
  real: string,
  realDir: string,
  maxBytes: number
): Promise<string> {
  const tooBig = (size: number): ZoneFileError =>
    new ZoneFileError(file, 0, `is ${size} bytes, more than the ${maxBytes} a zone file may have`)
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
    if (stat.size > maxBytes) throw tooBig(stat.size)
    // One byte more than allowed, to notice a file that grew since stat.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length === buffer.length) {
        if (length > maxBytes) throw tooBig(length)
        break
      }
    }
    return buffer.toString('utf8', 0, length)
  } catch (error) {
    if (error instanceof ZoneFileError) throw error
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ELOOP') {
      throw new ZoneFileError(file, 0, 'is a symbolic link; only regular files are read')
    }
    throw new ZoneFileError(file, 0, `cannot read the zone file: ${messageOf(error)}`)
  } finally {
    await handle?.close()
  }
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
