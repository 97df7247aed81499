/**
 * The live dashboard as a library: the model ({@link LiveMonitor}), the transport decorator that feeds it
 * ({@link liveTap}), the live stream ({@link LiveFeed}), the HTTP routes of the page and its data, the
 * front door, and the terminal renderer of `switchboard top`.
 */
export { LiveMonitor, type LiveMonitorOptions } from './live-monitor.js';
export { liveTap } from './live-tap.js';
export { LiveFeed, type LiveFeedOptions } from './live-feed.js';
export {
  dashboardRoutes,
  DASHBOARD_DATA_PATHS,
  DASHBOARD_PATH,
  type DashboardRoute,
  type DashboardRoutesOptions,
} from './dashboard-routes.js';
export { frontDoorDocument, frontDoorRoute, type FrontDoorInfo } from './front-door.js';
export { renderTop, type TopRenderOptions } from './top-render.js';
export type {
  LiveBackend,
  LiveCall,
  LiveDirection,
  LiveFrame,
  LiveFrameKind,
  LiveInflight,
  LiveSeries,
  LiveSession,
  LiveSnapshot,
} from './live-types.js';
