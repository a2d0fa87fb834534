// The subcommands, one file each. Add a command by adding its register function here.
import type { RegisterCommand } from '../program.js';
import { registerConformance } from './conformance.js';
import { registerDocs } from './docs.js';
import { registerExplain } from './explain.js';
import { registerReplay } from './replay.js';
import { registerSchema } from './schema.js';
import { registerTla } from './tla.js';

export const commands: readonly RegisterCommand[] = [registerConformance, registerReplay, registerExplain, registerSchema, registerTla, registerDocs];
