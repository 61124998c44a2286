// Preloaded into the gateway by bench:memory only (`node --expose-gc --import …`): SIGUSR2 runs
// full garbage collections, so the benchmark can read what the calls retain apart from garbage
// V8 has not collected yet. Nothing of this is in the service itself.
process.on('SIGUSR2', () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
});
