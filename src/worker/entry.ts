// Worker entry: the only side effect on the worker side. Everything else is in host.ts.
import { expose } from 'comlink';
import { createHost } from './host.ts';

expose(createHost(self));
