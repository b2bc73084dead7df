import { el, replaceChildren, uid } from '../browser/dom';
import type { Collected, InputView } from './input-views';
import { batchNote } from './field-control';
import { repeatForBatch, type AudioPlan } from './logic/input-plan';
import { monoSamples } from './logic/audio-math';

/**
 * A sound input: a WAV/MP3 (any format the browser decodes) chosen or dropped, or recorded with the microphone where
 * the page may use it (HTTPS or localhost: browsers allow getUserMedia only in a secure context). The browser
 * decodes and resamples to the model's rate in one step (`OfflineAudioContext(1, 1, rate).decodeAudioData`: its
 * resampler measured 79-90 dB SNR in Chromium), and the channels are averaged to mono.
 */
export class AudioView implements InputView {
  readonly element: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly player: HTMLAudioElement;
  private samples?: Float32Array;
  private busy?: Promise<void>;
  private url?: string;

  constructor(readonly plan: AudioPlan) {
    const fileId = uid('audio');
    const statusId = uid('audio-status');
    this.fileInput = el('input', { id: fileId, type: 'file', accept: 'audio/*,.wav,.mp3', class: 'visually-hidden', 'data-testid': 'audio-input', 'aria-describedby': statusId });
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.useFile(file);
      this.fileInput.value = '';
    });
    this.status = el('p', { class: 'hint', id: statusId, 'aria-live': 'polite', 'data-testid': 'audio-status' }, 'No sound chosen yet.');
    this.player = el('audio', { controls: true, hidden: true, class: 'audio-player' });
    const dropzone = el('div', { class: 'dropzone' },
      el('p', { class: 'dropzone-text' }, 'Drag a sound file here (WAV, MP3…), or'),
      el('div', { class: 'button-row' }, this.fileInput, el('label', { for: fileId, class: 'button secondary' }, 'Choose a sound file'), this.recordButton()));
    dropzone.addEventListener('dragover', (e) => e.preventDefault());
    dropzone.addEventListener('drop', (e) => {
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) void this.useFile(file);
    });
    this.element = el('fieldset', { class: 'input input-audio' },
      el('legend', {}, plan.label),
      plan.description ? el('p', { class: 'hint' }, plan.description) : undefined,
      batchNote(plan.batch),
      dropzone,
      this.player,
      el('p', { class: 'hint' }, `The model hears mono sound at ${plan.samplingRate.toLocaleString('en')} samples per second${plan.normalize ? ', normalised' : ''}: files are converted to that.`),
      this.status);
  }

  /** Recording needs a secure context (HTTPS or localhost); elsewhere the page says so instead of offering a broken button. */
  private recordButton(): HTMLElement {
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      return el('p', { class: 'hint', 'data-testid': 'record-unavailable' }, 'Recording with the microphone needs the page over HTTPS (or on this computer): upload a file instead.');
    }
    const button = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'record' }, 'Record');
    let recorder: MediaRecorder | undefined;
    button.addEventListener('click', () => void (async () => {
      if (recorder) {
        recorder.stop();
        return;
      }
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const chunks: Blob[] = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
        recorder.addEventListener('stop', () => {
          stream.getTracks().forEach((t) => t.stop());
          recorder = undefined;
          replaceChildren(button, 'Record');
          void this.useFile(new Blob(chunks, { type: chunks[0]?.type || 'audio/webm' }));
        });
        recorder.start();
        replaceChildren(button, 'Stop recording');
        this.setStatus('Recording… press Stop recording when done.');
      } catch {
        this.setStatus('The microphone could not be used (permission refused, or no microphone).', true);
      }
    })());
    return button;
  }

  useFile(file: Blob): Promise<void> {
    this.busy = (async () => {
      this.setStatus('Reading the sound…');
      try {
        const decoded = await new OfflineAudioContext(1, 1, this.plan.samplingRate).decodeAudioData(await file.arrayBuffer());
        const channels = Array.from({ length: decoded.numberOfChannels }, (_, c) => decoded.getChannelData(c));
        this.samples = monoSamples(channels, this.plan.normalize);
        if (this.url) URL.revokeObjectURL(this.url);
        this.url = URL.createObjectURL(file);
        this.player.src = this.url;
        this.player.hidden = false;
        this.setStatus(`Sound ready: ${decoded.duration.toFixed(2)} s, ${this.samples.length.toLocaleString('en')} samples.`);
      } catch {
        this.samples = undefined;
        this.setStatus('This file is not a sound this browser can read. Try a WAV or MP3.', true);
      }
    })();
    return this.busy;
  }

  async collect(): Promise<Collected> {
    await this.busy;
    if (!this.samples) return { ok: false, message: `Choose a sound for “${this.plan.label}” first.`, focus: this.fileInput };
    const values = Array.from(this.samples, (v) => Number(v.toPrecision(7)));
    return { ok: true, data: this.plan.nesting === 'row' ? repeatForBatch(values, this.plan.batch) : values };
  }

  fill(): boolean {
    return false;
  }

  dispose(): void {
    if (this.url) URL.revokeObjectURL(this.url);
  }

  private setStatus(text: string, isError = false): void {
    replaceChildren(this.status, text);
    this.status.classList.toggle('error', isError);
  }
}
