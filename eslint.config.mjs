// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The floors of src/ (README "Project layout"): each room, and the rooms it must not import, which
 * stand above it or beside it. redis/redis.module.ts is the one exception: it composes the
 * connection floor (docs/decisions.md).
 */
const above = {
  errors: [
    'core',
    'redis',
    'scripts',
    'durability',
    'health',
    'pods',
    'links',
    'cache',
    'stateful',
    'http',
    'service',
  ],
  core: [
    'redis',
    'scripts',
    'durability',
    'health',
    'pods',
    'links',
    'cache',
    'stateful',
    'http',
    'service',
  ],
  redis: [
    'scripts',
    'durability',
    'health',
    'pods',
    'links',
    'cache',
    'stateful',
    'http',
    'service',
  ],
  scripts: ['durability', 'health', 'pods', 'links', 'cache', 'stateful', 'http', 'service'],
  durability: ['scripts', 'health', 'pods', 'links', 'cache', 'stateful', 'http', 'service'],
  health: ['durability', 'pods', 'links', 'cache', 'stateful', 'http', 'service'],
  pods: ['health', 'durability', 'links', 'cache', 'stateful', 'http', 'service'],
  links: ['health', 'durability', 'cache', 'stateful', 'http', 'service'],
  cache: ['health', 'durability', 'stateful', 'http', 'service'],
  http: ['stateful', 'service'],
  stateful: ['service'],
};
const floorRules = Object.entries(above).map(([room, forbidden]) => ({
  files: [`src/${room}/**/*.ts`],
  ignores: room === 'redis' ? ['src/redis/redis.module.ts'] : [],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: forbidden
              .map((other) => `../${other}/*`)
              .concat(forbidden.map((other) => `../${other}`)),
            message: `src/${room} imports only the floors below it (README "Project layout", docs/decisions.md).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'node_modules/',
      '**/*.js',
      '**/*.mjs',
      '**/*.mts',
      '.bench-build/',
      'test/consumers/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Vitest's asymmetric matchers (expect.stringMatching...) are typed `any` by design.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  ...floorRules,
);
