// The action (action.yml's main): see src/bundle.ts.
import { action } from './bundle.js'
await action()
