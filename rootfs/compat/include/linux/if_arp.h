/* Why this file exists: the hardware types are <net/if_arp.h>'s here. */
#include <net/if_arp.h>
