// The script-tag entry (dist/cdn/inpage.js): the only side effect on the page side. It must run
// while document.currentScript still names this script, so it installs synchronously.
import { installLoader } from './loader.ts';

installLoader(window);
