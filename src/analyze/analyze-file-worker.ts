// A worker thread of analyzePythonFiles: reads, parses and converts the batches of files it is sent and
// posts back their FileAnalysis values (see docs/ARCHITECTURE.md, "Parsing on every core"), as one JSON text
// per batch: the thread that receives them, the one the analysis waits for, parses JSON in less time than it
// rebuilds a structured clone of the same small objects (10-20% less, measured on the benchmark's codebase).
import { parentPort, workerData } from 'node:worker_threads';
import { analyzePythonFile, type FileModule } from './analyze-file.js';

export interface WorkerBatch {
  batch: number;
  files: Array<{ file: string; module?: FileModule }>;
}

/** A batch's FileAnalysis[] as JSON (keys whose value is undefined are absent after the trip, as JSON has none). */
export interface WorkerResults {
  batch: number;
  json: string;
}

const { root } = workerData as { root: string };
const port = parentPort!;
port.on('message', (message: WorkerBatch | 'exit') => {
  if (message === 'exit') {
    port.close();
    return;
  }
  const results = message.files.map(({ file, module }) => analyzePythonFile(root, file, module));
  const reply: WorkerResults = { batch: message.batch, json: JSON.stringify(results) };
  port.postMessage(reply);
});
port.postMessage('ready');
