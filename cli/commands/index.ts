// The subcommands, one file each. Add a command by adding its register function here.
import type { RegisterCommand } from '../program.js';
import { registerTla } from './tla.js';

export const commands: readonly RegisterCommand[] = [registerTla];
