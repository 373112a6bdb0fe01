/* Why this file exists: wasi-libc ships no <net/if_arp.h>.  ifconfig names
 * an interface's hardware type (SIOCGIFHWADDR's sa_family) by these
 * numbers, Linux's (linux/if_arp.h); the container's one interface is the
 * loopback (ARPHRD_LOOPBACK). */
#ifndef OVERBOX_COMPAT_NET_IF_ARP_H
#define OVERBOX_COMPAT_NET_IF_ARP_H

#include <net/if.h>

#define ARPHRD_NETROM     0
#define ARPHRD_ETHER      1
#define ARPHRD_EETHER     2
#define ARPHRD_AX25       3
#define ARPHRD_PRONET     4
#define ARPHRD_CHAOS      5
#define ARPHRD_IEEE802    6
#define ARPHRD_ARCNET     7
#define ARPHRD_DLCI       15
#define ARPHRD_ATM        19
#define ARPHRD_INFINIBAND 32
#define ARPHRD_SLIP       256
#define ARPHRD_CSLIP      257
#define ARPHRD_SLIP6      258
#define ARPHRD_CSLIP6     259
#define ARPHRD_ADAPT      264
#define ARPHRD_PPP        512
#define ARPHRD_TUNNEL     768
#define ARPHRD_TUNNEL6    769
#define ARPHRD_LOOPBACK   772
#define ARPHRD_SIT        776
#define ARPHRD_IEEE80211  801
#define ARPHRD_NONE       0xFFFE

#endif
