/**
 * Tailwind CSS 3.4 configuration for Learning OS.
 * Design tokens come from shared/spec/pages.md (dark theme first).
 *
 * A few extra "-soft" / "-strong" shades sit next to the spec tokens: the spec
 * colours themselves are too dark to be read as *text* on the dark background
 * (WCAG AA 4.5:1), e.g. primary #6366F1 on #0F172A is 4.0:1 and white text on
 * #6366F1 is 4.47:1. The soft shades are used for text, the strong ones behind
 * white text; the spec colours for fills, rings, borders and icons.
 */

/** @type {import('tailwindcss').Config} */
export default {
  content: [
    './src/learningos/web/templates/**/*.html',
    './src/learningos/web/assets/**/*.js',
  ],
  theme: {
    extend: {
      colors: {
        primary: '#6366F1',
        'primary-hover': '#4F46E5',
        'primary-strong': '#4338CA',
        'primary-soft': '#A5B4FC',
        secondary: '#8B5CF6',
        'secondary-soft': '#C4B5FD',
        accent: '#10B981',
        'accent-soft': '#6EE7B7',
        warning: '#F59E0B',
        'warning-soft': '#FCD34D',
        error: '#EF4444',
        'error-soft': '#FCA5A5',
        bg: '#0F172A',
        surface: '#1E293B',
        'surface-2': '#334155',
        text: '#F8FAFC',
        muted: '#94A3B8',
        border: '#475569',
        // Boundaries of form controls need 3:1 against the page (WCAG 1.4.11).
        'border-strong': '#64748B',
      },
      fontFamily: {
        sans: [
          'Inter',
          'ui-sans-serif',
          'system-ui',
          '-apple-system',
          'Segoe UI',
          'Roboto',
          'Helvetica Neue',
          'Arial',
          'Noto Sans',
          'sans-serif',
          'Apple Color Emoji',
          'Segoe UI Emoji',
        ],
        mono: [
          'JetBrains Mono',
          'ui-monospace',
          'SFMono-Regular',
          'Menlo',
          'Monaco',
          'Consolas',
          'Liberation Mono',
          'Courier New',
          'monospace',
        ],
      },
      // Type scale: H1 40, H2 30, H3 24, body 16, small 14 (px).
      fontSize: {
        h1: ['2.5rem', { lineHeight: '1.15', letterSpacing: '-0.02em' }],
        h2: ['1.875rem', { lineHeight: '1.2', letterSpacing: '-0.015em' }],
        h3: ['1.5rem', { lineHeight: '1.3', letterSpacing: '-0.01em' }],
        body: ['1rem', { lineHeight: '1.5rem' }],
        small: ['0.875rem', { lineHeight: '1.25rem' }],
      },
      // Radius: 4 buttons/inputs, 8 cards, 12 modals, 16 feature cards, full.
      // (Tailwind's rounded / -lg / -xl / -2xl already map to 4/8/12/16.)
      borderRadius: {
        control: '4px',
        card: '8px',
        modal: '12px',
        feature: '16px',
      },
      // Spacing 4, 8, 12, 16, 24, 32, 48, 64 = Tailwind's 1, 2, 3, 4, 6, 8, 12, 16.
      spacing: {
        tap: '44px',
        sidebar: '16rem',
        bottomnav: '4.5rem',
      },
      minHeight: {
        tap: '44px',
      },
      minWidth: {
        tap: '44px',
      },
      transitionDuration: {
        fast: '150ms',
        DEFAULT: '180ms',
      },
      keyframes: {
        'fade-in': {
          from: { opacity: '0', transform: 'translateY(4px)' },
          to: { opacity: '1', transform: 'none' },
        },
        'toast-in': {
          from: { opacity: '0', transform: 'translateY(8px)' },
          to: { opacity: '1', transform: 'none' },
        },
        shimmer: {
          '100%': { transform: 'translateX(100%)' },
        },
      },
      animation: {
        'fade-in': 'fade-in 200ms ease-out both',
        'toast-in': 'toast-in 200ms ease-out both',
        shimmer: 'shimmer 1.5s infinite',
      },
    },
    // Breakpoints: <640 mobile, 640–1024 tablet, >1024 desktop, >1280 wide.
    screens: {
      sm: '640px',
      md: '768px',
      lg: '1024px',
      xl: '1280px',
    },
  },
  plugins: [],
};
