#!/usr/bin/env node
// The CLI (package.json's bin): see src/bundle.ts.
import { cli } from './bundle.js'
await cli()
