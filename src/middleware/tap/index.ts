export { tap, type TapOptions } from './tap.js';
export { TapRecorder, type TapRecorderOptions } from './tap-recorder.js';
export {
  parseRecording,
  recordingHeader,
  type FrameDirection,
  type RecordedFrame,
  type RecordingHeader,
} from './recording.js';
export {
  compareAnswers,
  replayRecording,
  type ReplayDifference,
  type ReplayOptions,
  type ReplayReport,
  type ValueChange,
} from './replay.js';
export { RecordingMock, UNMATCHED_CODE, type RecordingMockOptions } from './recording-mock.js';
export { recordedCalls, type MatchMode, type RecordedCall } from './recorded-calls.js';
