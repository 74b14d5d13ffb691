/**
 * The platform JWT. Kept in localStorage so every tab of the dashboard shares one sign-in (a
 * second tab must see live changes made in the first). A real frontend would get it from the
 * platform's own login.
 */
const KEY = 'instagram-connect.jwt';

export const session = {
  get token(): string | null {
    return localStorage.getItem(KEY);
  },
  set(token: string): void {
    localStorage.setItem(KEY, token.trim().replace(/^Bearer\s+/i, ''));
  },
  clear(): void {
    localStorage.removeItem(KEY);
  },
  /** The member (`sub`) the token names; the server verifies it, this is only for display. */
  memberId(): string | null {
    const token = this.token;
    if (!token) return null;
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string };
      return payload.sub ?? null;
    } catch {
      return null;
    }
  },
};
