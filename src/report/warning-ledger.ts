/**
 * GitHub shows a step 10 warning annotations and drops the rest from the list. The ledger counts
 * the warnings a run prints, so the findings' warnings can leave room for those the run still
 * has to say (a refused comment, a drift issue it could not update). Printing is the caller's.
 */

import { ANNOTATIONS_PER_LEVEL } from './annotations.js'

export interface WarningLedger {
  /** Warnings printed so far. */
  readonly printed: number
  /** Slots left of the 10. */
  readonly room: number
  warn(message: string, properties?: WarningProperties): void
  /** A warning while `keep` of the slots stay free for warnings to come, else a line of the log. */
  warnIfRoom(message: string, keep: number): void
}

/** Where a warning points (`core.AnnotationProperties`, the parts used). */
export interface WarningProperties {
  file?: string
  startLine?: number
  title?: string
}

export function warningLedger(print: {
  warning: (message: string, properties?: WarningProperties) => void
  log: (line: string) => void
}): WarningLedger {
  let printed = 0
  const warn = (message: string, properties?: WarningProperties): void => {
    printed++
    print.warning(message, properties)
  }
  return {
    get printed() {
      return printed
    },
    get room() {
      return Math.max(0, ANNOTATIONS_PER_LEVEL - printed)
    },
    warn,
    warnIfRoom(message, keep) {
      if (printed + keep < ANNOTATIONS_PER_LEVEL) warn(message)
      else print.log(`Warning: ${message}`)
    }
  }
}
