// A lifelike, deterministic device fleet. Pure, from the bottom up: a resident's profile gives traits
// (traits.ts); each local day becomes a timeline of activities and incidents (timeline.ts); device models
// (watch.ts, buttons.ts, home-sensors.ts) turn it into messages; plan.ts numbers and stamps them and marks
// what a drop-out holds back; wire.ts orders them as the broker would see them. Only player.ts and
// district.ts do I/O: they play the plan over MQTT on an accelerated simulated clock.
export * from './profile.ts'
export * from './rates.ts'
export * from './traits.ts'
export * from './timeline.ts'
export * from './plan.ts'
export * from './wire.ts'
export * from './connectivity.ts'
export * from './registry.ts'
export * from './sim-clock.ts'
export * from './play-report.ts'
export * from './player.ts'
export * from './district.ts'
export { distanceM, type LatLon, type Route } from './geo.ts'
