import { availableParallelism } from 'node:os';
import { setImmediate as turn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { analyzePythonFile, type FileAnalysis, type FileModule } from './analyze-file.js';
import type { WorkerBatch, WorkerResults } from './analyze-file-worker.js';

export interface AnalyzeFilesOptions {
  /** Worker threads to parse in beside the calling thread; default: none for a small project, else one per spare core. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** Whether the calling thread parses batches too while the workers do (default true; false leaves all to workers). */
  mainThread?: boolean;
  /** Called as each batch of files is done, with the thread that did it (0: the calling thread, n: worker n). */
  onBatch?: (thread: number, files: number) => void;
}

/** Below this many files a worker's start-up (~60 ms: a thread, the modules, the grammar) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 150;
const BATCH_FILES = 12;
/** The last TAPER_FILES files go in batches of about left / TAPER_FILES_PER_BATCH files (at least one). */
const TAPER_FILES = 96;
const TAPER_FILES_PER_BATCH = 8;
const MAX_WORKERS = 3;
const WORKER_QUEUE_DEPTH = 3;

export function defaultWorkerCount(files: number): number {
  if (files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.max(1, Math.min(availableParallelism() - 1, MAX_WORKERS));
}

/**
 * A worker running the module next to this one. From the sources (under tsx, whose loader hooks a worker
 * thread does not inherit on Node 20) the worker registers tsx's hooks itself before importing the `.ts`.
 */
function startWorker(root: string): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./analyze-file-worker.js', import.meta.url), { workerData: { root } });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./analyze-file-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: { root } });
}

/**
 * Analyzes `files` (see analyzePythonFile) and returns their results in the same order. With workers, the
 * files are handed out in small batches to whichever thread is free: the worker threads and this one, which
 * takes a batch itself between messages, so every core parses and no thread waits on a slow file's batch.
 * The result is the same with any number of workers, as JSON (a worker's results come as JSON, so a key whose
 * value is undefined is absent from them); a worker that fails has its batch redone here.
 */
export async function analyzePythonFiles(
  root: string,
  files: string[],
  moduleOf: ReadonlyMap<string, FileModule>,
  options: AnalyzeFilesOptions = {},
): Promise<FileAnalysis[]> {
  const total = files.length;
  const results = new Array<FileAnalysis>(total);
  let done = 0;
  const runHere = (start: number, end: number): void => {
    for (let i = start; i < end; i++) results[i] = analyzePythonFile(root, files[i]!, moduleOf.get(files[i]!));
    done += end - start;
    options.onBatch?.(0, end - start);
    options.onProgress?.(done, total);
  };
  options.onProgress?.(0, total);
  const workerCount = options.workers ?? defaultWorkerCount(total);
  if (workerCount <= 0) {
    for (let i = 0; i < total; i += BATCH_FILES) runHere(i, Math.min(total, i + BATCH_FILES));
    return results;
  }

  const batches: Array<[number, number]> = [];
  // Smaller batches at the end, so the threads finish together: the last ones are a file or two, not twelve
  // that one thread works through while the others wait.
  for (let i = 0; i < total; ) {
    const left = total - i;
    const size = left > TAPER_FILES ? BATCH_FILES : Math.max(1, Math.ceil(left / TAPER_FILES_PER_BATCH));
    batches.push([i, i + Math.min(size, left)]);
    i += Math.min(size, left);
  }
  let nextBatch = 0;
  const redo: number[] = [];
  // Each worker holds up to three batches, so it starts the next the moment it posts one: it never waits for
  // this thread to finish a batch of its own (or a garbage collection) before it gets more work. The first are
  // sent as the worker starts: they wait in its port until it has loaded.
  const inFlight = new Map<Worker, Set<number>>();
  const inFlightCount = (): number => [...inFlight.values()].reduce((sum, batches) => sum + batches.size, 0);
  let wake: (() => void) | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };

  const send = (worker: Worker): void => {
    const held = inFlight.get(worker) ?? new Set<number>();
    inFlight.set(worker, held);
    while (held.size < WORKER_QUEUE_DEPTH && nextBatch < batches.length) {
      const batch = nextBatch++;
      const [start, end] = batches[batch]!;
      const message: WorkerBatch = { batch, files: [] };
      for (let i = start; i < end; i++) {
        const module = moduleOf.get(files[i]!);
        message.files.push(module ? { file: files[i]!, module } : { file: files[i]! });
      }
      held.add(batch);
      worker.postMessage(message);
    }
    if (held.size === 0) worker.postMessage('exit');
  };
  const lose = (worker: Worker): void => {
    for (const batch of inFlight.get(worker) ?? []) redo.push(batch);
    inFlight.delete(worker);
  };

  const workers: Worker[] = [];
  for (let n = 0; n < workerCount; n++) {
    const worker = startWorker(root);
    workers.push(worker);
    worker.on('message', (message: 'ready' | WorkerResults) => {
      if (message !== 'ready') {
        const [start] = batches[message.batch]!;
        const batchResults = JSON.parse(message.json) as FileAnalysis[];
        for (const [i, result] of batchResults.entries()) results[start + i] = result;
        inFlight.get(worker)?.delete(message.batch);
        done += batchResults.length;
        options.onBatch?.(n + 1, batchResults.length);
        options.onProgress?.(done, total);
      }
      send(worker);
      signal();
    });
    worker.on('error', () => {
      lose(worker);
      signal();
    });
    worker.on('exit', () => {
      lose(worker);
      workers.splice(workers.indexOf(worker), 1);
      signal();
    });
    send(worker);
  }

  try {
    for (;;) {
      const mayTake = options.mainThread !== false || workers.length === 0;
      const batch = redo.length > 0 ? redo.pop() : mayTake && nextBatch < batches.length ? nextBatch++ : undefined;
      if (batch !== undefined) {
        runHere(...batches[batch]!);
        // Let the workers' finished batches in and send them the next ones.
        await turn();
        continue;
      }
      if (inFlightCount() === 0 && (nextBatch >= batches.length || workers.length === 0)) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    for (const worker of workers) void worker.terminate();
  }
  return results;
}
