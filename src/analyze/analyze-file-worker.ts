// A worker thread of analyzePythonFiles: reads, parses and converts the batches of files it is sent and
// posts back their FileAnalysis values (see docs/ARCHITECTURE.md, "Parsing on every core").
import { parentPort, workerData } from 'node:worker_threads';
import { analyzePythonFile, type FileModule } from './analyze-file.js';

export interface WorkerBatch {
  batch: number;
  files: Array<{ file: string; module?: FileModule }>;
}

const { root } = workerData as { root: string };
const port = parentPort!;
port.on('message', (message: WorkerBatch | 'exit') => {
  if (message === 'exit') {
    port.close();
    return;
  }
  const results = message.files.map(({ file, module }) => analyzePythonFile(root, file, module));
  port.postMessage({ batch: message.batch, results });
});
port.postMessage('ready');
