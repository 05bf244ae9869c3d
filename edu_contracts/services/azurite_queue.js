// Starts Azurite's queue service (its own dist/src/queue/main.js, argv[2]) without
// loading its telemetry module.
//
// Why: main.js requires ../common/Telemetry at the top, which pulls in the
// Application Insights and OpenTelemetry stacks: about 0.9 s of Azurite's 1.3 s
// start, spent even under --disableTelemetry, which we always pass. With
// telemetry disabled every method Azurite's queue service calls on the client
// (init, TraceStartEvent, TraceStopEvent, TraceRequest) returns at once, so a
// client whose methods return at once behaves the same. The toolkit uses this
// launcher only for the Azurite version it pins and has checked; any other
// Azurite is started as it ships.
"use strict";
const path = require("path");

const main = path.resolve(process.argv[2]);
const telemetry = require.resolve(path.join(path.dirname(main), "..", "common", "Telemetry"));

class AzuriteTelemetryClient {
  static init() {}
  static TraceRequest() {}
  static async TraceStartEvent() {}
  static TraceStopEvent() {}
}
AzuriteTelemetryClient.enableTelemetry = false;

const stub = new (require("module"))(telemetry);
stub.filename = telemetry;
stub.loaded = true;
stub.exports = { AzuriteTelemetryClient };
require.cache[telemetry] = stub;

process.argv.splice(1, 2, main); // Azurite reads its options from argv as if run directly
require(main);
