import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one preview, on its own registry (several previews can run in one process). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'model_preview_http_requests_total', help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const, registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'model_preview_http_request_duration_seconds', help: 'Time from request to answer, by route',
    labelNames: ['route'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly inferenceSeconds = new Histogram({
    name: 'model_preview_inference_duration_seconds', help: 'onnxruntime session.run time',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly modelLoadSeconds = new Histogram({
    name: 'model_preview_model_load_seconds', help: 'Time to load a model version into every worker',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly modelReloads = new Counter({
    name: 'model_preview_model_reloads_total', help: 'Hot reloads of the model file, by result (ok, failed, unchanged: written again with the same bytes)',
    labelNames: ['result'] as const, registers: [this.registry],
  });
  readonly modelInfo = new Gauge({
    name: 'model_preview_model_info', help: 'The model version being served (value 1)',
    labelNames: ['model', 'version'] as const, registers: [this.registry],
  });

  constructor(queueDepth: () => number, inFlight: () => number) {
    new Gauge({ name: 'model_preview_queue_depth', help: 'Requests waiting for a worker', registers: [this.registry], collect() { this.set(queueDepth()); } });
    new Gauge({ name: 'model_preview_inference_in_flight', help: 'Requests handed to workers', registers: [this.registry], collect() { this.set(inFlight()); } });
    collectDefaultMetrics({ register: this.registry, prefix: 'model_preview_' });
  }

  setModel(model: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model, version }, 1);
  }
}
