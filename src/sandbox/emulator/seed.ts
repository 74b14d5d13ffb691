import type { EmulatorControl } from './control';

/** Fixed sandbox data, so a fresh `npm start` has someone to log in as. */
export const SEED = {
  facebookUserId: '100000000000042',
  instagramCreatorId: '17841400000000001',
  instagramPersonalId: '17841400000000002',
} as const;

export function seedSandbox(control: EmulatorControl): void {
  control.addFacebookUser({
    id: SEED.facebookUserId,
    name: 'Sandbox Creator',
    pages: [
      {
        name: 'Sandbox Studio',
        instagram: {
          username: 'sandbox.studio',
          name: 'Sandbox Studio',
          followersCount: 180_000,
          followsCount: 310,
          mediaCount: 1_204,
          biography: 'Photos from the sandbox.',
          website: 'https://studio.example',
        },
      },
      { name: 'Sandbox Shop', instagram: { username: 'sandbox.shop', name: 'Sandbox Shop', followersCount: 9_400, followsCount: 120, mediaCount: 312 } },
      { name: 'Sandbox Blog' },
      { name: 'Sandbox Agency Client', viaBusinessOnly: true, instagram: { username: 'sandbox.agency', followersCount: 1_250_000, mediaCount: 4_020 } },
    ],
  });
  control.addInstagramUser({
    userId: SEED.instagramCreatorId,
    username: 'sandbox.creator',
    name: 'Sandbox Creator',
    accountType: 'MEDIA_CREATOR',
    followersCount: 42_000,
    followsCount: 512,
    mediaCount: 640,
    biography: 'Creator account for Business Login.',
    tokenResponseShape: 'flat',
  });
  control.addInstagramUser({ userId: SEED.instagramPersonalId, username: 'sandbox.personal', accountType: 'PERSONAL', followersCount: 230 });
}
