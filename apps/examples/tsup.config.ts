import { defineConfig } from 'tsup';

export default defineConfig({
  // dist/<name>.js, dist/tutorial/<name>.js, dist/cookbook/<name>.js
  entry: ['src/*.ts', 'src/tutorial/*.ts', 'src/cookbook/*.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
